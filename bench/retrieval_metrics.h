#ifndef ASSISTD_BENCH_RETRIEVAL_METRICS_H_
#define ASSISTD_BENCH_RETRIEVAL_METRICS_H_

// trec_eval-compatible metrics for a ranked run against graded qrels:
// nDCG@10 with linear gain (ndcg_cut.10), Recall@100 and MRR@10 counting
// every grade >= 1 as relevant.

#include <map>
#include <string>
#include <vector>

namespace assistd::bench {

using Qrels = std::map<std::string, std::map<std::string, int>>;  // query -> doc -> grade

struct Metrics {
  double ndcg10 = 0;
  double recall100 = 0;
  double mrr10 = 0;
};

// `ranking` is one query's docs, best first (no duplicates).
Metrics ScoreQuery(const std::vector<std::string>& ranking,
                   const std::map<std::string, int>& judged);

// Mean over every query of `qrels` with at least one relevant doc; a query
// missing from `run` scores zero.
Metrics MeanMetrics(const std::map<std::string, std::vector<std::string>>& run,
                    const Qrels& qrels);

}  // namespace assistd::bench

#endif  // ASSISTD_BENCH_RETRIEVAL_METRICS_H_
