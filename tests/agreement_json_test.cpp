#include "silt/agreement_json.h"

#include <nlohmann/json.hpp>

#include "test_support.h"

using namespace silt;

namespace {

const Taxonomy& tax() {
  return silt::test::default_classifier().taxonomy();
}

std::vector<FieldAgreement> fixture_fields(std::size_t bootstrap = 100) {
  auto r = read_labels(SILT_TEST_FIXTURES "/labels.csv");
  REQUIRE(r.ok());
  AgreementOptions o;
  o.bootstrap = bootstrap;
  return agreement(r.value().table, tax(), o);
}

RunHeader header() {
  RunHeader h;
  h.bootstrap = 100;
  h.seed = 1;
  h.raters = {"alice", "bob", "carol"};
  h.inputs = {{"labels", "labels.csv"}};
  return h;
}

}  // namespace

TEST_CASE("agree JSON: a header, then each field's figures in one shape", "[agreement][json]") {
  auto j = nlohmann::json::parse(to_json(fixture_fields(), header()));
  CHECK(j["header"]["schema"] == "silt/agree/v1");
  CHECK(j["header"]["raters"] == nlohmann::json::array({"alice", "bob", "carol"}));
  CHECK(j["header"]["seed"] == 1);
  REQUIRE(j["fields"].size() == 6);
  const auto& cat = j["fields"][0];
  CHECK(cat["percent_agreement"]["value"] == 0.6);  // 3/5
  CHECK(cat["percent_agreement"]["n"] == 5);
  CHECK(cat["percent_agreement"]["interval"].size() == 2);
  CHECK(cat["krippendorff_alpha"].size() == 1);
  CHECK(cat["krippendorff_alpha"].contains("nominal"));
  CHECK(cat.contains("gwet_ac1"));
  CHECK_FALSE(cat.contains("gwet_ac2"));
  CHECK(cat["fleiss_kappa_per_value"]["wrong-shape"]["interval"].is_array());
  CHECK(cat["fleiss_kappa_per_value"]["wrong-structure"]["undefined"] == "no rater used this category");
  CHECK(cat["cohen_kappa_pairs"][0]["kappa"].size() == 1);
  CHECK(cat["most_disagreement"][0]["agreement"] == 0.333);
  const auto& impact = j["fields"][1];
  CHECK(impact["scale"] == "ordinal");
  // The ordinal field's own metric first.
  auto ordered = nlohmann::ordered_json::parse(to_json(fixture_fields(0), header()));
  CHECK(ordered["fields"][1]["krippendorff_alpha"].begin().key() == "ordinal");
  CHECK(impact["krippendorff_alpha"].size() == 3);
  CHECK(impact["cohen_kappa_pairs"][0]["kappa"]["linear"]["value"] == 0.688);
  CHECK(impact["fleiss_kappa"]["value"].is_null());
  CHECK(impact["fleiss_kappa"]["undefined"].get<std::string>().find("same number of raters") != std::string::npos);
  CHECK(impact.contains("gwet_ac2"));
}

TEST_CASE("agree JSON: what to_json writes, read_agreement_json reads back to the same document", "[agreement][json]") {
  const std::string once = to_json(fixture_fields(), header());
  auto back = read_agreement_json(once, "agree.json");
  REQUIRE(back.ok());
  REQUIRE(back.value().fields.size() == 6);
  CHECK(back.value().fields[1].ordinal);
  CHECK(back.value().fields[1].alpha[0].first == stats::Metric::ordinal);
  CHECK(back.value().header.raters.size() == 3);
  CHECK(to_json(back.value().fields, back.value().header) == once);
}

TEST_CASE("agree JSON: an eval document is other-format, a broken one names the member", "[agreement][json]") {
  CHECK(read_agreement_json("{\"header\": {\"schema\": \"silt/eval/v1\"}}", "x").error().code == "other-format");
  // An agree output from before the header (an array of fields): not this format.
  CHECK(read_agreement_json("[{\"field\": \"category\"}]", "old.json").error().code == "other-format");
  auto j = nlohmann::json::parse(to_json(fixture_fields(0), header()));
  j["fields"][1]["krippendorff_alpha"]["cosine"] = j["fields"][1]["krippendorff_alpha"]["nominal"];
  auto bad = read_agreement_json(j.dump(), "a.json");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == "bad-agree-json");
  CHECK(bad.error().message ==
        "a.json: fields[1].krippendorff_alpha.cosine: not a metric (nominal, ordinal or interval)");
}
