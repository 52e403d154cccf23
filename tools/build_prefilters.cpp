// Build-time tool: compiles the Hyperscan prefilter (engine/src/prefilter.h) of every
// built-in rules file and writes them as C++ source, a table from each prefilter's
// fingerprint to its bytes (detail::builtin_prefilter; compiled for Hyperscan's baseline
// CPU, so that the binary reads them on any machine), with each rules file's spec and
// the built-in taxonomy and pack map as JSON (detail::builtin_spec,
// detail::builtin_taxonomy_json, detail::builtin_packs_json). Compiling takes seconds a pack;
// reading the bytes back, a millisecond: silt starts in milliseconds.
//
//   silt-build-prefilters OUTPUT.cpp
//
// Exits 1 when a built-in rules file does not load (its diagnostics on stderr).
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>

#include "packs_json.h"
#include "prefilter.h"
#include "rules_spec.h"
#include "silt/builtin.h"
#include "taxonomy_json.h"

namespace {

bool write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  return static_cast<bool>(out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()))) &&
         static_cast<bool>(out.flush());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: silt-build-prefilters OUTPUT.cpp\n";
    return 2;
  }
  auto tax = silt::load_taxonomy(silt::builtin_taxonomy().text, std::string(silt::builtin_taxonomy().name));
  if (!tax.taxonomy || !tax.diagnostics.empty()) {  // read from JSON at every start: no finding may be lost
    for (const auto& d : tax.diagnostics.all()) std::cerr << silt::to_text(d);
    std::cerr << "silt-build-prefilters: the built-in taxonomy does not load without a finding\n";
    return 1;
  }
  const std::string taxonomy_json = silt::detail::taxonomy_to_json(*tax.taxonomy);
  if (!silt::detail::taxonomy_from_json(taxonomy_json)) {
    std::cerr << "silt-build-prefilters: the built-in taxonomy does not read back from JSON\n";
    return 1;
  }
  const auto packs_file = silt::builtin_file("rules/packs.yaml");
  auto packs = silt::load_packs(packs_file->text, std::string(packs_file->name), nullptr, nullptr);
  if (!packs.packs || !packs.diagnostics.empty()) {  // read from JSON at every start: no finding may be lost
    for (const auto& d : packs.diagnostics.all()) std::cerr << silt::to_text(d);
    std::cerr << "silt-build-prefilters: the built-in pack map does not load without a finding\n";
    return 1;
  }
  const silt::detail::PackMap pack_map{
      packs.packs->packs(), static_cast<std::size_t>(&packs.packs->default_pack() - packs.packs->packs().data())};
  const std::string packs_json = silt::detail::packs_to_json(pack_map);
  if (!silt::detail::packs_from_json(packs_json)) {
    std::cerr << "silt-build-prefilters: the built-in pack map does not read back from JSON\n";
    return 1;
  }
  struct Built {
    std::string file;
    std::size_t patterns = 0;
    std::string bytes;
  };
  std::map<std::uint64_t, Built> built;             // by fingerprint
  std::map<std::string, std::string> specs, tests;  // file -> spec_to_json without tests, tests_to_json
  for (std::string_view name : silt::builtin_files()) {
    if (name.substr(0, 6) != "rules/" || name == "rules/packs.yaml") continue;
    const std::string file(name);
    silt::Diagnostics diags;
    auto spec = silt::detail::read_rules_spec(silt::builtin_file(name)->text, file, *tax.taxonomy,
                                              silt::include_builtin(), diags);
    // Checked as silt checks a user's file: valid patterns, none matching the empty text.
    if (spec && !diags.has_errors())
      silt::detail::compile_rules(*spec, *tax.taxonomy, diags, silt::detail::Matcher::reference);
    if (!spec || diags.has_errors()) {
      for (const auto& d : diags.all()) std::cerr << silt::to_text(d);
      return 1;
    }
    if (!diags.empty()) {  // a warning in a built-in file is a bug to fix before it ships
      for (const auto& d : diags.all()) std::cerr << silt::to_text(d);
      return 1;
    }
    specs[file] = silt::detail::spec_to_json(*spec, *tax.taxonomy, false);
    tests[file] = silt::detail::tests_to_json(*spec);
    for (const auto& part : silt::detail::prefilter_parts(*spec)) {
      const auto& src = part.source;
      const std::size_t patterns = src.rules.size() + src.boilerplate.size() + src.headings.size();
      const std::uint64_t fp = silt::detail::Prefilter::fingerprint(src);
      if (patterns == 0 || built.count(fp)) continue;  // a file included by several packs: once
      auto pf = silt::detail::Prefilter::compile(src, silt::detail::Prefilter::Target::portable);
      if (!pf.ok()) {
        std::cerr << "silt-build-prefilters: " << part.file << ": " << pf.error().message << "\n";
        return 1;
      }
      built[fp] = {part.file, patterns, pf.value()->serialize(fp)};
    }
  }
  // Each prefilter's bytes and each spec in a file of its own beside OUTPUT, assembled
  // in by .incbin (a C++ literal of megabytes takes the compiler longer than compiling
  // the rules).
  const std::string path = argv[1];
  std::ostringstream cpp, prefilters, spec_table, tests_table;
  std::size_t n = 0;
  auto embed = [&](const std::string& bytes, const std::string& comment) -> std::optional<std::string> {
    const std::string bin = path + "." + std::to_string(n) + ".bin", sym = "silt_embedded_" + std::to_string(n++);
    if (!write_file(bin, bytes)) {
      std::cerr << "silt-build-prefilters: cannot write " << bin << "\n";
      return std::nullopt;
    }
    cpp << "// " << comment << "\n"
        << "asm(\".section .rodata\\n.balign 64\\n.globl " << sym << "\\n.hidden " << sym << "\\n"
        << sym << ":\\n.incbin \\\"" << bin << "\\\"\\n.globl " << sym << "_end\\n.hidden " << sym << "_end\\n"
        << sym << "_end:\\n.previous\");\n"
        << "extern \"C\" const char " << sym << "[], " << sym << "_end[];\n\n";
    return "{" + sym + ", static_cast<std::size_t>(" + sym + "_end - " + sym + ")}";
  };
  for (const auto& [fp, b] : built) {
    auto view = embed(b.bytes, b.file + ": " + std::to_string(b.patterns) + " patterns, " +
                                   std::to_string(b.bytes.size()) + " bytes, fingerprint " + std::to_string(fp));
    if (!view) return 1;
    prefilters << "    case " << fp << "ull:\n      return " << *view << ";\n";
  }
  for (const auto& [file, json] : specs) {
    auto view = embed(json, file + ": its RulesSpec, without the rules' tests");
    auto tests_view = embed(tests.at(file), file + ": its rules' tests");
    if (!view || !tests_view) return 1;
    spec_table << "  if (file == \"" << file << "\") return " << *view << ";\n";
    tests_table << "  if (file == \"" << file << "\") return " << *tests_view << ";\n";
  }
  auto taxonomy_view = embed(taxonomy_json, std::string(silt::builtin_taxonomy().name) + ": the Taxonomy");
  if (!taxonomy_view) return 1;
  auto packs_view = embed(packs_json, std::string(packs_file->name) + ": the pack map");
  if (!packs_view) return 1;
  std::ostringstream head;
  head << "// Generated by tools/build_prefilters.cpp at build time. Do not edit.\n"
          "#include <cstdint>\n#include <string_view>\n\n";
  cpp << "namespace silt::detail {\n\nstd::string_view builtin_prefilter(std::uint64_t fingerprint) {\n"
         "  switch (fingerprint) {\n"
      << prefilters.str() << "  }\n  return {};\n}\n\nstd::string_view builtin_spec(std::string_view file) {\n"
      << spec_table.str() << "  return {};\n}\n\nstd::string_view builtin_spec_tests(std::string_view file) {\n"
      << tests_table.str() << "  return {};\n}\n\nstd::string_view builtin_taxonomy_json(std::string_view file) {\n"
      << "  if (file == \"" << silt::builtin_taxonomy().name << "\") return " << *taxonomy_view << ";\n"
      << "  return {};\n}\n\nstd::string_view builtin_packs_json(std::string_view file) {\n"
      << "  if (file == \"" << packs_file->name << "\") return " << *packs_view << ";\n"
      << "  return {};\n}\n\n}  // namespace silt::detail\n";
  const std::string text = head.str() + cpp.str();
  if (!write_file(path, text)) {
    std::cerr << "silt-build-prefilters: cannot write " << path << "\n";
    return 1;
  }
  for (const auto& [fp, b] : built)
    std::cerr << "silt-build-prefilters: " << b.file << ": " << b.patterns << " patterns, " << b.bytes.size()
              << " bytes\n";
  return 0;
}
