#include "silt/packs.h"

#include "packs_json.h"
#include "silt/builtin.h"
#include "silt/issue.h"
#include "test_support.h"

using namespace silt;

TEST_CASE("a report's pack: its repository exactly, in any case, then its owner's, else the default", "[packs]") {
  const std::string map = R"(schema: silt/packs/v1
default: generic
packs:
  keras-tf: {rules: keras-tf-fitted.yaml, repositories: [tensorflow/tensorflow, keras-team/*]}
  pytorch: {rules: pytorch-fitted.yaml, repositories: [pytorch/*, google/jax, Lightning-AI/*]}
  jaxonly: {rules: pytorch-fitted.yaml, repositories: [google/*]}
  generic: {rules: generic-fitted.yaml}
)";
  auto loaded = load_packs(map, "rules/packs.yaml", silt::test::builtin_taxonomy_loaded(), include_builtin());
  REQUIRE(loaded.packs);
  const PackSet& packs = *loaded.packs;
  CHECK(packs.for_repository("tensorflow/tensorflow").name == "keras-tf");
  CHECK(packs.for_repository("TensorFlow/TensorFlow").name == "keras-tf");  // GitHub's names: any case
  CHECK(packs.for_repository("keras-team/keras").name == "keras-tf");       // owner/*
  CHECK(packs.for_repository("Keras-Team/tf-keras").name == "keras-tf");
  CHECK(packs.for_repository("lightning-ai/pytorch-lightning").name == "pytorch");
  CHECK(packs.for_repository("google/jax").name == "pytorch");  // an exact entry before owner/*
  CHECK(packs.for_repository("google/flax").name == "jaxonly");
  CHECK(packs.for_repository("tensorflow/models").name == "generic");  // no tensorflow/*
  CHECK(packs.for_repository("pytorch").name == "generic");            // no owner/repo
  CHECK(packs.for_repository("pytorchx/vision").name == "generic");    // not a prefix match
  CHECK(packs.for_repository("pytorc/vision").name == "generic");
  CHECK(packs.for_repository("").name == "generic");
}

TEST_CASE("a repository named twice, in any case, is a diagnostic at its line", "[packs]") {
  const std::string map = R"(schema: silt/packs/v1
default: generic
packs:
  keras-tf: {rules: keras-tf-fitted.yaml, repositories: [tensorflow/tensorflow]}
  generic:
    rules: generic-fitted.yaml
    repositories:
      - TensorFlow/TensorFlow
)";
  auto loaded = load_packs(map, "rules/packs.yaml", silt::test::builtin_taxonomy_loaded(), include_builtin());
  CHECK_FALSE(loaded.packs);
  REQUIRE(loaded.diagnostics.error_count() == 1);
  const Diagnostic& d = loaded.diagnostics.all().front();
  CHECK(d.code == "duplicate-repository");
  CHECK(d.where.line == 8);
  CHECK(d.message.find("keras-tf") != std::string::npos);
  CHECK(d.message.find("tensorflow/tensorflow") != std::string::npos);
}

TEST_CASE("a map with errors still has the rules files it names read: every finding at once", "[packs]") {
  const std::string map = R"(schema: silt/packs/v1
default: generic
packs:
  mine: {rules: missing.yaml, repositories: [o/r, bad repo]}
  generic: {rules: generic-fitted.yaml}
)";
  auto loaded = load_packs(map, "rules/packs.yaml", silt::test::builtin_taxonomy_loaded(), include_builtin());
  CHECK_FALSE(loaded.packs);
  CHECK(silt::test::find_code(loaded.diagnostics, "bad-repository"));
  const Diagnostic* unreadable = silt::test::find_code(loaded.diagnostics, "unreadable-file");
  REQUIRE(unreadable);
  CHECK(unreadable->subject == "mine");
  CHECK(unreadable->where.line == 4);
  CHECK(loaded.diagnostics.error_count() == 2);  // the generic pack reads clean
}

TEST_CASE("the pack and the id name the same repository when repository_url and the url disagree", "[packs]") {
  auto issues = read_issues(R"({"title": "t", "number": 5, "html_url": "https://github.com/keras-team/keras/issues/5",
    "repository_url": "https://api.github.com/repos/pytorch/pytorch"})",
                            "u.json");
  REQUIRE(issues.ok());
  const Issue& issue = issues.value()[0];
  CHECK(issue.id == "pytorch/pytorch#5");
  CHECK(repository_of(issue.view()) == "pytorch/pytorch");  // the id's, not the url's keras-team/keras
}

TEST_CASE("a repository pattern is OWNER/REPO or OWNER/*: */* and o*/r are bad-repository findings", "[packs]") {
  for (const char* bad : {"'*/*'", "'o*/r'", "'o/r*'", "o", "o/r/x"}) {
    CAPTURE(bad);
    const std::string map = std::string(
                                "schema: silt/packs/v1\ndefault: generic\npacks:\n  a: {rules: generic-fitted.yaml, "
                                "repositories: [") +
                            bad + "]}\n  generic: {rules: generic-fitted.yaml}\n";
    auto loaded = load_packs(map, "rules/packs.yaml", silt::test::builtin_taxonomy_loaded(), include_builtin());
    CHECK(silt::test::find_code(loaded.diagnostics, "bad-repository"));
  }
  const std::string ok =
      "schema: silt/packs/v1\ndefault: generic\npacks:\n  a: {rules: generic-fitted.yaml, "
      "repositories: [o/r, 'p/*']}\n  generic: {rules: generic-fitted.yaml}\n";
  auto loaded = load_packs(ok, "rules/packs.yaml", silt::test::builtin_taxonomy_loaded(), include_builtin());
  CHECK_FALSE(silt::test::find_code(loaded.diagnostics, "bad-repository"));
}

TEST_CASE("every built-in pack is read with its built-in prefilter, not the slow RE2 sets", "[packs][prefilter]") {
  // A pack whose files' pattern runs did not tile the spec lost its prefilter unsaid:
  // keras-tf did so once its own headings came before generic.yaml's (batch 75% slower).
  auto b = builtin_file("rules/packs.yaml");
  REQUIRE(b);
  auto loaded = load_packs(b->text, "rules/packs.yaml", silt::test::builtin_taxonomy_loaded(), include_builtin());
  REQUIRE(loaded.packs);
  REQUIRE(loaded.packs->packs().size() == 3);
  for (const auto& pack : loaded.packs->packs()) {
    INFO(pack.name);
    auto rules = loaded.packs->rules(pack);
    REQUIRE(rules);
    CHECK(rules->prefiltered());
  }
}

TEST_CASE("the built-in pack map is read from the JSON the build wrote, and is the YAML's", "[packs]") {
  const auto b = silt::builtin_file("rules/packs.yaml");
  REQUIRE(b);
  const std::string name(b->name);
  REQUIRE_FALSE(silt::detail::builtin_packs_json(name).empty());
  REQUIRE(silt::detail::packs_from_json(silt::detail::builtin_packs_json(name)));  // it reads
  auto fast = silt::load_packs(b->text, name, nullptr, nullptr);                   // the embedded JSON
  auto slow = silt::load_packs(b->text, "a-copy.yaml", nullptr, nullptr);          // the same text: YAML
  REQUIRE(fast.packs);
  REQUIRE(slow.packs);
  CHECK(fast.diagnostics.empty());
  CHECK(slow.diagnostics.empty());
  auto map_of = [](const silt::PackSet& s, const std::string& file) {
    silt::detail::PackMap m{s.packs(), static_cast<std::size_t>(&s.default_pack() - s.packs().data())};
    for (auto& p : m.packs) p.where.file = file;  // the only difference: where it was read from
    return silt::detail::packs_to_json(m);
  };
  CHECK(map_of(*fast.packs, name) == map_of(*slow.packs, name));
  CHECK(fast.packs->default_pack().name == "generic");
  CHECK(fast.packs->for_repository("pytorch/vision").name == "pytorch");
  CHECK(fast.packs->packs().front().where.line > 0);  // places kept: diagnostics cite them
  // An edited text is read as YAML again, with its findings.
  std::string edited(b->text);
  edited += "\nunknown_key: 1\n";
  CHECK_FALSE(silt::load_packs(edited, name, nullptr, nullptr).diagnostics.empty());
}

TEST_CASE("pack map JSON: what does not read back is refused, the default index checked", "[packs]") {
  silt::detail::PackMap m;
  m.packs.push_back({"a", "a.yaml", {"o/r", "p/*"}, {"m.yaml", 3, 3}});
  m.packs.push_back({"b", "b.yaml", {}, {"m.yaml", 7, 3}});
  m.default_pack = 1;
  const std::string json = silt::detail::packs_to_json(m);
  auto back = silt::detail::packs_from_json(json);
  REQUIRE(back);
  CHECK(silt::detail::packs_to_json(*back) == json);
  CHECK(back->packs[0].repositories == std::vector<std::string>{"o/r", "p/*"});
  CHECK(back->default_pack == 1);
  std::string bad = json;
  bad.replace(bad.find("\"default\":1"), 11, "\"default\":2");
  CHECK_FALSE(silt::detail::packs_from_json(bad));
  CHECK_FALSE(silt::detail::packs_from_json(json.substr(0, json.size() / 2)));
  CHECK_FALSE(silt::detail::packs_from_json("[]"));
}
