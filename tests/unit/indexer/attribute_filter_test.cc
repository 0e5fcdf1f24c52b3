#include "indexer/attribute_filter.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/util/status_matchers.h"

namespace assistd::index {
namespace {

using ::assistd::testing::IsOk;
using ::assistd::testing::StatusIs;
using ::testing::HasSubstr;
using Op = AttributeFilter::Op;

AttributeFilter Cmp(Op op, std::string key, AttributeValue value) {
  AttributeFilter f;
  f.op = op;
  f.key = std::move(key);
  f.value = std::move(value);
  return f;
}

AttributeFilter List(Op op, std::string key, std::vector<AttributeValue> values) {
  AttributeFilter f;
  f.op = op;
  f.key = std::move(key);
  f.values = std::move(values);
  return f;
}

AttributeFilter Compound(Op op, std::vector<AttributeFilter> operands) {
  AttributeFilter f;
  f.op = op;
  f.operands = std::move(operands);
  return f;
}

// `levels` filters deep: levels-1 nested ands around one comparison.
AttributeFilter Nested(int levels) {
  AttributeFilter f = Cmp(Op::kEq, "k", std::string("v"));
  for (int i = 1; i < levels; ++i) {
    AttributeFilter outer;
    outer.op = Op::kAnd;
    outer.operands.push_back(std::move(f));
    f = std::move(outer);
  }
  return f;
}

const Attributes kDoc = {{"author", std::string("ada")}, {"year", 2021.0}, {"draft", false}};

TEST(AttributeFilterTest, EqMatchesSameTypeAndValueOnly) {
  EXPECT_TRUE(MatchesFilter(Cmp(Op::kEq, "author", std::string("ada")), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kEq, "author", std::string("bob")), kDoc));
  EXPECT_TRUE(MatchesFilter(Cmp(Op::kEq, "year", 2021.0), kDoc));
  EXPECT_TRUE(MatchesFilter(Cmp(Op::kEq, "draft", false), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kEq, "draft", true), kDoc));
}

TEST(AttributeFilterTest, EqNeverMatchesAcrossTypes) {
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kEq, "year", std::string("2021")), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kEq, "draft", 0.0), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kEq, "author", true), kDoc));
}

TEST(AttributeFilterTest, NeIsTrueForOtherValuesAndOtherTypes) {
  EXPECT_TRUE(MatchesFilter(Cmp(Op::kNe, "author", std::string("bob")), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kNe, "author", std::string("ada")), kDoc));
  EXPECT_TRUE(MatchesFilter(Cmp(Op::kNe, "year", std::string("2021")), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kNe, "draft", false), kDoc));
}

TEST(AttributeFilterTest, OrderingComparesNumbers) {
  EXPECT_TRUE(MatchesFilter(Cmp(Op::kGt, "year", 2020.0), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kGt, "year", 2021.0), kDoc));
  EXPECT_TRUE(MatchesFilter(Cmp(Op::kGte, "year", 2021.0), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kGte, "year", 2022.0), kDoc));
  EXPECT_TRUE(MatchesFilter(Cmp(Op::kLt, "year", 2021.5), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kLt, "year", 2021.0), kDoc));
  EXPECT_TRUE(MatchesFilter(Cmp(Op::kLte, "year", 2021.0), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kLte, "year", 2020.0), kDoc));
}

TEST(AttributeFilterTest, OrderingComparesStringsLexicographically) {
  EXPECT_TRUE(MatchesFilter(Cmp(Op::kGt, "author", std::string("ab")), kDoc));
  EXPECT_TRUE(MatchesFilter(Cmp(Op::kLt, "author", std::string("adb")), kDoc));
  EXPECT_TRUE(MatchesFilter(Cmp(Op::kGte, "author", std::string("ada")), kDoc));
  EXPECT_TRUE(MatchesFilter(Cmp(Op::kLte, "author", std::string("ada")), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kGt, "author", std::string("b")), kDoc));
  // A string attribute never compares with a number.
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kGt, "author", 1.0), kDoc));
}

TEST(AttributeFilterTest, OrderingIsFalseForMixedTypesAndBooleans) {
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kGt, "year", std::string("1")), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kLt, "year", std::string("9")), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kGte, "draft", 0.0), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kLte, "draft", std::string("z")), kDoc));
}

TEST(AttributeFilterTest, OrderingWithNanIsFalse) {
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kGte, "year", std::nan("")), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kLte, "year", std::nan("")), kDoc));
}

TEST(AttributeFilterTest, InMatchesAnyListedValueOfTheSameType) {
  EXPECT_TRUE(
      MatchesFilter(List(Op::kIn, "author", {std::string("bob"), std::string("ada")}), kDoc));
  EXPECT_FALSE(MatchesFilter(List(Op::kIn, "author", {std::string("bob")}), kDoc));
  EXPECT_TRUE(MatchesFilter(List(Op::kIn, "year", {std::string("x"), 2021.0}), kDoc));
  EXPECT_FALSE(MatchesFilter(List(Op::kIn, "year", {std::string("2021")}), kDoc));
  EXPECT_TRUE(MatchesFilter(List(Op::kIn, "draft", {false}), kDoc));
}

TEST(AttributeFilterTest, NinMatchesWhenNoListedValueIsEqual) {
  EXPECT_TRUE(MatchesFilter(List(Op::kNin, "author", {std::string("bob")}), kDoc));
  EXPECT_FALSE(
      MatchesFilter(List(Op::kNin, "author", {std::string("bob"), std::string("ada")}), kDoc));
  EXPECT_TRUE(MatchesFilter(List(Op::kNin, "year", {std::string("2021")}), kDoc));
}

TEST(AttributeFilterTest, MissingKeyNeverMatchesNotEvenNeOrNin) {
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kEq, "topic", std::string("x")), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kGt, "topic", 1.0), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kGte, "topic", 1.0), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kLt, "topic", 1.0), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kLte, "topic", 1.0), kDoc));
  EXPECT_FALSE(MatchesFilter(List(Op::kIn, "topic", {1.0}), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kNe, "topic", std::string("x")), kDoc));
  EXPECT_FALSE(MatchesFilter(List(Op::kNin, "topic", {1.0}), kDoc));
  EXPECT_FALSE(MatchesFilter(Cmp(Op::kEq, "author", std::string("ada")), Attributes{}));
}

TEST(AttributeFilterTest, AndNeedsEveryOperandOrAnyOne) {
  AttributeFilter ada = Cmp(Op::kEq, "author", std::string("ada"));
  AttributeFilter old = Cmp(Op::kLt, "year", 2000.0);
  EXPECT_FALSE(MatchesFilter(Compound(Op::kAnd, {ada, old}), kDoc));
  EXPECT_TRUE(MatchesFilter(Compound(Op::kOr, {ada, old}), kDoc));
  EXPECT_TRUE(MatchesFilter(Compound(Op::kAnd, {ada}), kDoc));
  EXPECT_FALSE(MatchesFilter(Compound(Op::kOr, {old}), kDoc));
}

TEST(AttributeFilterTest, NestedCompoundsEvaluateRecursively) {
  // (author = ada and (year < 2000 or draft = false)) or topic = x
  AttributeFilter inner =
      Compound(Op::kOr, {Cmp(Op::kLt, "year", 2000.0), Cmp(Op::kEq, "draft", false)});
  AttributeFilter f =
      Compound(Op::kOr, {Compound(Op::kAnd, {Cmp(Op::kEq, "author", std::string("ada")), inner}),
                         Cmp(Op::kEq, "topic", std::string("x"))});
  EXPECT_TRUE(MatchesFilter(f, kDoc));
  Attributes other = kDoc;
  other["draft"] = true;
  EXPECT_FALSE(MatchesFilter(f, other));
  other["topic"] = std::string("x");
  EXPECT_TRUE(MatchesFilter(f, other));
  EXPECT_TRUE(MatchesFilter(Nested(8), {{"k", std::string("v")}}));
}

TEST(AttributeFilterTest, AcceptsWellFormedFilters) {
  EXPECT_THAT(ValidateFilter(Cmp(Op::kEq, "k", true)), IsOk());
  EXPECT_THAT(ValidateFilter(Cmp(Op::kNe, "k", false)), IsOk());
  EXPECT_THAT(ValidateFilter(Cmp(Op::kGt, "k", std::string("a"))), IsOk());
  EXPECT_THAT(ValidateFilter(Cmp(Op::kLte, "k", 1.0)), IsOk());
  EXPECT_THAT(ValidateFilter(List(Op::kIn, "k", {true, 1.0})), IsOk());
  EXPECT_THAT(ValidateFilter(Compound(
                  Op::kOr, {Cmp(Op::kEq, "a", 1.0), List(Op::kNin, "b", {std::string("x")})})),
              IsOk());
}

TEST(AttributeFilterTest, RejectsAnEmptyKey) {
  EXPECT_THAT(ValidateFilter(Cmp(Op::kEq, "", 1.0)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'filters'")));
  EXPECT_THAT(ValidateFilter(List(Op::kIn, "", {1.0})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("key")));
}

TEST(AttributeFilterTest, RejectsCompoundsWithoutOperands) {
  EXPECT_THAT(ValidateFilter(Compound(Op::kAnd, {})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'filters'")));
  EXPECT_THAT(ValidateFilter(Compound(Op::kOr, {})), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(AttributeFilterTest, RejectsInAndNinWithoutValues) {
  EXPECT_THAT(ValidateFilter(List(Op::kIn, "k", {})),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("'k'")));
  EXPECT_THAT(ValidateFilter(List(Op::kNin, "k", {})),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(AttributeFilterTest, RejectsOrderingOnBooleans) {
  for (Op op : {Op::kGt, Op::kGte, Op::kLt, Op::kLte}) {
    EXPECT_THAT(ValidateFilter(Cmp(op, "k", true)),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("boolean")));
  }
}

TEST(AttributeFilterTest, FindsInvalidOperandsInsideCompounds) {
  AttributeFilter f =
      Compound(Op::kAnd, {Cmp(Op::kEq, "a", 1.0), Compound(Op::kOr, {Cmp(Op::kLt, "b", false)})});
  EXPECT_THAT(ValidateFilter(f), StatusIs(absl::StatusCode::kInvalidArgument));
}

// The root is level 1; each and/or operand is one level deeper.
TEST(AttributeFilterTest, AllowsEightLevelsOfNestingButNotNine) {
  EXPECT_THAT(ValidateFilter(Nested(8)), IsOk());
  EXPECT_THAT(ValidateFilter(Nested(9)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("deeper than 8")));
  EXPECT_THAT(ValidateFilter(Nested(1000)), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace assistd::index
