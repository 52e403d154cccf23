#include "silt/agreement_json.h"

#include "study_json.h"

namespace silt {

namespace {

using detail::JsonIn;
using detail::JsonOut;

void write_kappas(JsonOut& j, const FieldAgreement::Kappas& kappas) {
  j.key("kappa");
  j.begin_object();
  for (const auto& [w, e] : kappas) {
    j.key(stats::to_string(w));
    j.figure(e);
  }
  j.end_object();
}

FieldAgreement::Kappas read_kappas(const JsonIn& in) {
  FieldAgreement::Kappas out;
  for (auto w : {stats::Weights::none, stats::Weights::linear, stats::Weights::quadratic})
    if (auto e = in.find(stats::to_string(w))) out.emplace_back(w, e->figure());
  return out;
}

void write_field(JsonOut& j, const FieldAgreement& f) {
  j.begin_object();
  j.field("field", f.field);
  j.field("scale", f.ordinal ? "ordinal" : "nominal");
  j.key("domain");
  j.inline_strings(f.domain);
  j.field("items", f.items);
  j.key("percent_agreement");
  j.figure(f.percent);
  j.key("fleiss_kappa");
  j.figure(f.fleiss);
  j.key("fleiss_kappa_per_value");
  j.begin_object();
  for (std::size_t k = 0; k < f.domain.size() && k < f.fleiss_per_value.size(); ++k) {
    j.key(f.domain[k]);
    j.figure(f.fleiss_per_value[k]);
  }
  j.end_object();
  j.key("conger_kappa");
  j.figure(f.conger);
  // The field's own metric first.
  j.key("krippendorff_alpha");
  j.begin_object();
  for (const auto& [m, e] : f.alpha) {
    j.key(stats::to_string(m));
    j.figure(e);
  }
  j.end_object();
  for (const auto& [w, e] : f.gwet) {
    j.key(w == stats::Weights::none ? "gwet_ac1" : "gwet_ac2");
    j.figure(e);
  }
  j.key("cohen_kappa_pairs");
  j.begin_array();
  for (const auto& p : f.pairs) {
    j.begin_object();
    j.field("a", p.a);
    j.field("b", p.b);
    write_kappas(j, p.kappa);
    j.end_object();
  }
  j.end_array();
  j.key("against_majority");
  j.begin_array();
  for (const auto& m : f.vs_majority) {
    j.begin_object();
    j.field("rater", m.rater);
    j.key("agreement");
    j.figure(m.agreement);
    write_kappas(j, m.kappa);
    j.end_object();
  }
  j.end_array();
  j.key("most_disagreement");
  j.begin_array();
  for (const auto& d : f.most_disagreement) {
    j.begin_object();
    j.field("item", d.item);
    j.field("agreement", d.agreement);
    j.key("values");
    j.inline_strings(d.values);
    j.end_object();
  }
  j.end_array();
  j.key("problems");
  j.begin_array();
  for (const auto& p : f.problems) j.string(p);
  j.end_array();
  j.end_object();
}

FieldAgreement read_field(const JsonIn& in) {
  FieldAgreement f;
  f.field = in.at("field").string();
  f.ordinal = in.at("scale").string() == "ordinal";
  f.domain = in.at("domain").strings();
  f.items = in.at("items").count();
  f.percent = in.at("percent_agreement").figure();
  f.fleiss = in.at("fleiss_kappa").figure();
  const JsonIn per = in.at("fleiss_kappa_per_value");
  for (const auto& v : f.domain) f.fleiss_per_value.push_back(per.at(v).figure());
  f.conger = in.at("conger_kappa").figure();
  for (const auto& [metric, e] : in.at("krippendorff_alpha").members()) {
    stats::Metric m = stats::Metric::nominal;
    if (metric == "ordinal")
      m = stats::Metric::ordinal;
    else if (metric == "interval")
      m = stats::Metric::interval;
    else if (metric != "nominal")
      throw detail::BadJson(e.path() + ": not a metric (nominal, ordinal or interval)");
    f.alpha.emplace_back(m, e.figure());
  }
  if (auto e = in.find("gwet_ac1")) f.gwet.emplace_back(stats::Weights::none, e->figure());
  if (auto e = in.find("gwet_ac2")) f.gwet.emplace_back(stats::Weights::quadratic, e->figure());
  for (const auto& p : in.at("cohen_kappa_pairs").items())
    f.pairs.push_back({p.at("a").string(), p.at("b").string(), read_kappas(p.at("kappa"))});
  for (const auto& m : in.at("against_majority").items())
    f.vs_majority.push_back({m.at("rater").string(), m.at("agreement").figure(), read_kappas(m.at("kappa"))});
  for (const auto& d : in.at("most_disagreement").items())
    f.most_disagreement.push_back({d.at("item").string(), d.at("agreement").number(), d.at("values").strings()});
  f.problems = in.at("problems").strings();
  return f;
}

}  // namespace

std::string to_json(const std::vector<FieldAgreement>& fields, RunHeader header) {
  header.schema = agreement_schema;
  JsonOut j;
  j.begin_object();
  j.key("header");
  j.header(header);
  j.key("fields");
  j.begin_array();
  for (const auto& f : fields) write_field(j, f);
  j.end_array();
  j.end_object();
  return j.take();
}

Result<AgreementDocument> read_agreement_json(std::string_view text, const std::string& name) {
  detail::JsonDocument parsed;
  auto doc = detail::parse_document(parsed, text, agreement_schema, name);
  if (!doc.ok()) return doc.error();
  try {
    const JsonIn in(*doc.value(), "");
    AgreementDocument d;
    d.header = in.at("header").header();
    for (const auto& f : in.at("fields").items()) d.fields.push_back(read_field(f));
    return d;
  } catch (const detail::BadJson& e) {
    return Error{name + ": " + e.what(), 0, 0, "bad-agree-json"};
  }
}

}  // namespace silt
