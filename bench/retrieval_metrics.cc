#include "bench/retrieval_metrics.h"

#include <algorithm>
#include <cmath>

namespace assistd::bench {

Metrics ScoreQuery(const std::vector<std::string>& ranking,
                   const std::map<std::string, int>& judged) {
  Metrics m;
  std::vector<int> ideal;
  int relevant = 0;
  for (const auto& [doc, grade] : judged) {
    if (grade > 0) {
      ideal.push_back(grade);
      ++relevant;
    }
  }
  std::sort(ideal.rbegin(), ideal.rend());
  double dcg = 0, idcg = 0;
  for (size_t i = 0; i < ideal.size() && i < 10; ++i) idcg += ideal[i] / std::log2(i + 2.0);
  int found = 0;
  for (size_t i = 0; i < ranking.size() && i < 100; ++i) {
    auto it = judged.find(ranking[i]);
    const int grade = it == judged.end() ? 0 : it->second;
    if (grade <= 0) continue;
    if (i < 10) {
      dcg += grade / std::log2(i + 2.0);
      if (m.mrr10 == 0) m.mrr10 = 1.0 / (i + 1);
    }
    ++found;
  }
  m.ndcg10 = idcg > 0 ? dcg / idcg : 0;
  m.recall100 = relevant > 0 ? static_cast<double>(found) / relevant : 0;
  return m;
}

Metrics MeanMetrics(const std::map<std::string, std::vector<std::string>>& run,
                    const Qrels& qrels) {
  Metrics sum;
  int n = 0;
  static const std::vector<std::string> kEmpty;
  for (const auto& [query, judged] : qrels) {
    bool any = false;
    for (const auto& [doc, grade] : judged) any = any || grade > 0;
    if (!any) continue;
    auto it = run.find(query);
    Metrics m = ScoreQuery(it == run.end() ? kEmpty : it->second, judged);
    sum.ndcg10 += m.ndcg10;
    sum.recall100 += m.recall100;
    sum.mrr10 += m.mrr10;
    ++n;
  }
  if (n > 0) {
    sum.ndcg10 /= n;
    sum.recall100 /= n;
    sum.mrr10 /= n;
  }
  return sum;
}

}  // namespace assistd::bench
