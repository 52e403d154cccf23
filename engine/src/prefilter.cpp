#include "prefilter.h"

#include <hs/hs.h>
#include <re2/re2.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>
#include <optional>

#include "silt/issue.h"
#include "silt/utf8.h"

namespace silt::detail {

namespace {

bool has_other_case(const std::string& chars);
bool names_other_cased(std::string_view s);

// How relax() writes a pattern for Hyperscan.
enum class Relax {
  utf8,        // matched as UTF-8 (HS_FLAG_UTF8): relaxed_pattern(p)
  utf8_widen,  // the same, each cased letter beyond ASCII put as any one character
  bytes        // matched as bytes (no HS_FLAG_UTF8)
};

// relaxed_pattern(p), written for `how`.
//
// utf8_widen (for a caseless pattern that names_other_cased): each letter with another
// case written as such outside a class (one code point: `µ` in `µs`) is put as any one
// character, `[\s\S]`: the letter's case forms RE2 knows are single characters too, so
// the pattern only matches more, and Hyperscan can take it (otherwise such a rule is a
// candidate wherever it reads, and its RE2 is compiled and run on every text). nullopt
// when such a letter is named another way (in a class, as an escape, in a Unicode class,
// in \Q...\E): the pattern stays with RE2.
//
// bytes: the pattern matched byte by byte, which makes a smaller database
// (a third smaller for the generic rules: less for Hyperscan to check and map at each
// start) and matches at least what the UTF-8 one does on UTF-8 text. Only an ASCII
// pattern without \Q, \x, \p, \C, an octal escape or inline flags is written so (nullopt
// otherwise: the caller takes utf8, as it does when Hyperscan rejects the bytes form). An atom that matches a character
// beyond ASCII (`.`, a negated class, \W \S \D, a class holding one of those) matches one byte as bytes, and such a
// character is two to four bytes none of which is ASCII: the atom is put as one or more
// of itself. (Caseless, RE2 folds k and s to the Kelvin sign, U+212A, and the long s,
// U+017F, which Hyperscan does as UTF-8 but not as bytes: collect() takes every rule for
// a text that holds one.)
std::optional<std::string> relax(std::string_view p, Relax how) {
  const bool widen_cased = how == Relax::utf8_widen;
  const bool bytes = how == Relax::bytes;
  std::string out;
  out.reserve(p.size());
  bool in_class = false, class_negated = false, class_wide = false;
  std::size_t class_at = 0;  // where the class starts in `out`
  auto one_or_more = [&](std::size_t from) {
    out.insert(from, "(?:(?:");
    out += ")+)";
  };
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (bytes &&
        (static_cast<unsigned char>(c) >= 0x80 || (c == '(' && i + 2 < p.size() && p[i + 1] == '?' && p[i + 2] != ':')))
      return std::nullopt;
    if (c == '\\' && i + 1 < p.size() && p[i + 1] == 'Q') {  // \Q...\E: literal text, as it is
      if (bytes) return std::nullopt;
      const std::size_t end = p.find("\\E", i + 2);
      const std::size_t stop = end == std::string_view::npos ? p.size() : end + 2;
      if (widen_cased && names_other_cased(p.substr(i, stop - i))) return std::nullopt;
      out.append(p.substr(i, stop - i));
      i = stop - 1;
      continue;
    }
    if (in_class && c == '[' && i + 1 < p.size() && p[i + 1] == ':') {  // [:alpha:] inside a class
      const std::size_t end = p.find(":]", i + 2);
      if (end != std::string_view::npos) {
        class_wide = class_wide || p[i + 2] == '^';  // [:^alpha:]
        out.append(p.substr(i, end + 2 - i));
        i = end + 1;
        continue;
      }
    }
    if (widen_cased && static_cast<unsigned char>(c) >= 0x80) {  // a character beyond ASCII, whole
      const auto lead = static_cast<unsigned char>(c);
      const std::size_t n = std::min<std::size_t>(lead >= 0xF0   ? 4
                                                  : lead >= 0xE0 ? 3
                                                  : lead >= 0xC0 ? 2
                                                                 : 1,
                                                  p.size() - i);
      const std::string cp(p.substr(i, n));
      if (!has_other_case(cp))
        out += cp;
      else if (in_class)
        return std::nullopt;
      else
        out += "[\\s\\S]";
      i += n - 1;
      continue;
    }
    if (c == '\\' && i + 1 < p.size()) {
      const char e = p[i + 1];
      if ((widen_cased || bytes) && (e == 'p' || e == 'P')) return std::nullopt;  // a Unicode class
      if (bytes && (e == 'x' || e == 'C')) return std::nullopt;
      if (widen_cased && e == 'x') {  // \xHH or \x{H...}: a cased letter stays with RE2
        std::size_t end = i + 2 < p.size() && p[i + 2] == '{' ? p.find('}', i + 2) : i + 3;
        end = end == std::string_view::npos ? p.size() : std::min(end + 1, p.size());
        if (names_other_cased(p.substr(i, end - i))) return std::nullopt;
      }
      if (!in_class && (e == 'b' || e == 'B')) {  // a word boundary: an empty group
        out += "(?:)";
        ++i;
        continue;
      }
      // An octal escape over \177 is a character beyond ASCII for RE2, a byte as bytes.
      if (bytes && e >= '1' && e <= '7') return std::nullopt;
      const bool wide = e == 'W' || e == 'S' || e == 'D';
      if (in_class) class_wide = class_wide || wide;
      const std::size_t at = out.size();
      ++i;
      // RE2's \s is [\t\n\f\r ], Hyperscan's has the vertical tab too, and RE2's \v is
      // the vertical tab alone where Hyperscan's is every vertical space: written so that
      // Hyperscan matches at least what RE2 does (\S and [^\s] take the vertical tab,
      // [^\v] leaves out only it).
      if (e == 'S')
        out += in_class ? "\\S\\x0b" : "[\\S\\x0b]";
      else if (e == 's' && in_class && class_negated)
        out += "\\t\\n\\f\\r\\x20";
      else if (e == 'v' && in_class)
        out += "\\x0b";
      else
        out += std::string{c, e};
      if (bytes && wide && !in_class) one_or_more(at);
      continue;
    }
    if (in_class) {
      out += c;
      if (c == ']') {
        in_class = false;
        if (bytes && (class_negated || class_wide)) one_or_more(class_at);
      }
      continue;
    }
    if (c == '[') {
      in_class = true;
      class_at = out.size();
      class_negated = i + 1 < p.size() && p[i + 1] == '^';
      class_wide = false;
      out += c;
      if (class_negated) out += p[++i];
      if (i + 1 < p.size() && p[i + 1] == ']') out += p[++i];  // a ']' first is a member
      continue;
    }
    if (c == '{') {  // {m,n} -> {m,}
      std::size_t j = i + 1;
      while (j < p.size() && std::isdigit(static_cast<unsigned char>(p[j]))) ++j;
      if (j > i + 1 && j < p.size() && p[j] == ',') {
        std::size_t k = j + 1;
        while (k < p.size() && std::isdigit(static_cast<unsigned char>(p[k]))) ++k;
        if (k > j + 1 && k < p.size() && p[k] == '}') {
          out.append(p.substr(i, j + 1 - i)).append("}");
          i = k;
          continue;
        }
      }
    }
    if (bytes && c == '.') {
      const std::size_t at = out.size();
      out += c;
      one_or_more(at);
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string relaxed_pattern(std::string_view p) {
  return *relax(p, Relax::utf8);
}

namespace {

// The fields read as one text kind: what people write, code, console output.
std::size_t field_group(const std::string& field) {
  if (field == "code") return 1;
  if (field == "output") return 2;
  return 0;
}

// Whether RE2 under (?i) folds `chars` (one or more characters, or an escape) to other
// strings than itself, some of them not ASCII (Hyperscan folds ASCII letters as RE2 does).
bool has_other_case(const std::string& chars) {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_case_sensitive(false);
  const RE2 re(chars, o);
  std::string lo, hi;
  if (!re.ok() || !re.PossibleMatchRange(&lo, &hi, 64)) return true;
  return lo != hi && !(is_ascii(lo) && is_ascii(hi));
}

// Whether a caseless pattern names a character over U+007F that has another case, written
// as such, as an escape (\x{E9}, \xE9) or in a Unicode class (\pL, \p{Greek}): Hyperscan
// folds the case of some such letters only (RE2 knows newer case pairs: 344 in the Basic
// Multilingual Plane, U+1C80 and U+0412 among them), so such a pattern stays with RE2.
// A character without case (a curly quote, a multiplication sign) is safe.
bool names_other_cased(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0x80) {
      std::size_t end = i;
      while (end < s.size() && static_cast<unsigned char>(s[end]) >= 0x80) ++end;
      if (has_other_case(std::string(s.substr(i, end - i)))) return true;
      i = end - 1;
      continue;
    }
    if (s[i] != '\\' || i + 1 >= s.size()) continue;
    const char e = s[++i];
    if (e == 'p' || e == 'P') return true;
    if (e != 'x') continue;
    std::size_t end = std::min(i + 3, s.size());  // \xHH, or \x{H...}
    if (i + 1 < s.size() && s[i + 1] == '{') {
      end = s.find('}', i + 2);
      end = end == std::string_view::npos ? s.size() : end + 1;
    }
    if (has_other_case("\\" + std::string(s.substr(i, end - i)))) return true;
    i = end - 1;
  }
  return false;
}

struct Compiled {
  hs_database_t* db = nullptr;
  std::vector<std::size_t> ids;         // pattern id (position) -> index given
  std::vector<std::size_t> unfiltered;  // indices Hyperscan could not take
};

// One database over `patterns` (index, text, caseless), matched anywhere or, with
// `whole`, whole; a pattern Hyperscan rejects is left out and listed as unfiltered.
Compiled compile_group(const std::vector<std::tuple<std::size_t, std::string, bool>>& patterns, bool whole,
                       Prefilter::Target target) {
  Compiled out;
  // Hyperscan's baseline (SSSE3, no AVX2 or AVX-512 in the bytecode): a database any CPU
  // Hyperscan runs on reads, whatever machine compiled it.
  hs_platform_info_t portable{HS_TUNE_FAMILY_GENERIC, 0, 0, 0};
  std::vector<std::string> texts;
  std::vector<unsigned> flags;
  std::vector<std::size_t> source;  // each expression's place in `patterns`
  // The pattern as UTF-8: relaxed, flags, or nullopt when Hyperscan cannot take it so.
  auto as_utf8 = [&](std::size_t k) -> std::optional<std::pair<std::string, unsigned>> {
    const auto& [index, text, caseless] = patterns[k];
    auto relaxed = relax(text, caseless && names_other_cased(text) ? Relax::utf8_widen : Relax::utf8);
    if (!relaxed) return std::nullopt;
    return std::pair{whole ? "^(?:" + *relaxed + ")$" : *relaxed, HS_FLAG_UTF8 | HS_FLAG_SINGLEMATCH |
                                                                      HS_FLAG_PREFILTER | HS_FLAG_ALLOWEMPTY |
                                                                      (caseless ? HS_FLAG_CASELESS : 0u)};
  };
  for (std::size_t k = 0; k < patterns.size(); ++k) {
    const auto& [index, text, caseless] = patterns[k];
    // As bytes where it can be (a smaller database), else as UTF-8.
    std::optional<std::pair<std::string, unsigned>> expr;
    if (auto relaxed = relax(text, Relax::bytes))
      expr =
          std::pair{whole ? "^(?:" + *relaxed + ")$" : *relaxed,
                    HS_FLAG_SINGLEMATCH | HS_FLAG_PREFILTER | HS_FLAG_ALLOWEMPTY | (caseless ? HS_FLAG_CASELESS : 0u)};
    else
      expr = as_utf8(k);
    if (!expr) {
      out.unfiltered.push_back(index);
      continue;
    }
    texts.push_back(std::move(expr->first));
    flags.push_back(expr->second);
    source.push_back(k);
    out.ids.push_back(index);
  }
  // Compiled together; an expression Hyperscan rejects is dropped and the rest tried again.
  while (!texts.empty()) {
    std::vector<const char*> ptrs;
    std::vector<unsigned> ids;
    for (std::size_t i = 0; i < texts.size(); ++i) {
      ptrs.push_back(texts[i].c_str());
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(ptrs.data(), flags.data(), ids.data(), static_cast<unsigned>(ptrs.size()), HS_MODE_BLOCK,
                         target == Prefilter::Target::portable ? &portable : nullptr, &out.db, &err) == HS_SUCCESS)
      break;
    const int bad = err->expression;
    hs_free_compile_error(err);
    out.db = nullptr;
    if (bad < 0 || static_cast<std::size_t>(bad) >= texts.size()) {  // not one pattern's fault: none filtered
      out.unfiltered.insert(out.unfiltered.end(), out.ids.begin(), out.ids.end());
      out.ids.clear();
      break;
    }
    const auto at = static_cast<std::size_t>(bad);
    if (!(flags[at] & HS_FLAG_UTF8))  // rejected as bytes: tried again as UTF-8
      if (auto expr = as_utf8(source[at])) {
        texts[at] = std::move(expr->first);
        flags[at] = expr->second;
        continue;
      }
    out.unfiltered.push_back(out.ids[at]);
    texts.erase(texts.begin() + static_cast<std::ptrdiff_t>(at));
    flags.erase(flags.begin() + static_cast<std::ptrdiff_t>(at));
    source.erase(source.begin() + static_cast<std::ptrdiff_t>(at));
    out.ids.erase(out.ids.begin() + static_cast<std::ptrdiff_t>(at));
  }
  std::sort(out.unfiltered.begin(), out.unfiltered.end());
  return out;
}

// Per thread, one scratch space grown to fit every database it is used with.
struct ThreadScratch {
  hs_scratch_t* scratch = nullptr;
  std::vector<const hs_database_t*> fitted;
  ~ThreadScratch() {
    if (scratch) hs_free_scratch(scratch);
  }
  hs_scratch_t* for_db(const hs_database_t* db) {
    if (!db) return scratch;
    if (std::find(fitted.begin(), fitted.end(), db) == fitted.end()) {
      if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) return nullptr;
      fitted.push_back(db);
    }
    return scratch;
  }
};
thread_local ThreadScratch tls;

void collect(const hs_database_t* db, const std::vector<std::size_t>& map, std::string_view text,
             std::vector<std::size_t>& out) {
  if (!db) return;
  hs_scratch_t* scratch = tls.for_db(db);
  struct Ctx {
    const std::vector<std::size_t>* map;
    std::vector<std::size_t>* out;
  } ctx{&map, &out};
  auto on_match = [](unsigned id, unsigned long long, unsigned long long, unsigned, void* c) -> int {
    auto* x = static_cast<Ctx*>(c);
    if (id < x->map->size()) x->out->push_back((*x->map)[id]);
    return 0;
  };
  // A text holding a character RE2 folds onto an ASCII letter (the Kelvin sign, the long
  // s), which a pattern read as bytes does not (relax()), or that cannot be scanned: every
  // pattern is a candidate.
  if (!scratch || text.find("\xE2\x84\xAA") != std::string_view::npos ||
      text.find("\xC5\xBF") != std::string_view::npos ||
      hs_scan(db, text.data(), static_cast<unsigned>(text.size()), 0, scratch, on_match, &ctx) != HS_SUCCESS) {
    out.insert(out.end(), map.begin(), map.end());
  }
}

void put_u64(std::string& s, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}

bool get_u64(std::string_view& s, std::uint64_t& v) {
  if (s.size() < 8) return false;
  v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[i])) << (8 * i);
  s.remove_prefix(8);
  return true;
}

void put_list(std::string& s, const std::vector<std::size_t>& v) {
  put_u64(s, v.size());
  for (auto x : v) put_u64(s, x);
}

bool get_list(std::string_view& s, std::vector<std::size_t>& v) {
  std::uint64_t n = 0, x = 0;
  if (!get_u64(s, n) || n > s.size() / 8) return false;
  v.clear();
  for (std::uint64_t i = 0; i < n; ++i) {
    if (!get_u64(s, x)) return false;
    v.push_back(static_cast<std::size_t>(x));
  }
  return true;
}

// A database as its in-memory image (what hs_deserialize_database_at makes of the
// serialized bytes, at a 64-byte aligned address), at a 64-byte aligned offset of `s`:
// read back in place, without a copy (Hyperscan's databases hold offsets, not
// pointers, so that they can live in shared memory). Its size first; 0: no database.
void put_db(std::string& s, const hs_database_t* db) {
  char* bytes = nullptr;
  std::size_t len = 0, size = 0;
  if (!db || hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) {
    put_u64(s, 0);
    return;
  }
  std::unique_ptr<char, decltype(&std::free)> serialized(bytes, &std::free);
  if (hs_serialized_database_size(bytes, len, &size) != HS_SUCCESS) {
    put_u64(s, 0);
    return;
  }
  const std::size_t rounded = (size + 63) / 64 * 64;
  std::unique_ptr<char, decltype(&std::free)> image(static_cast<char*>(std::aligned_alloc(64, rounded)), &std::free);
  if (!image || hs_deserialize_database_at(bytes, len, reinterpret_cast<hs_database_t*>(image.get())) != HS_SUCCESS) {
    put_u64(s, 0);
    return;
  }
  put_u64(s, size);
  s.append((64 - s.size() % 64) % 64, '\0');
  s.append(image.get(), size);
}

// `s` is a suffix of a 64-byte aligned buffer starting at `base`.
bool get_db(std::string_view& s, const char* base, const hs_database_t*& db) {
  std::uint64_t len = 0;
  db = nullptr;
  if (!get_u64(s, len)) return false;
  if (len == 0) return true;
  const std::size_t pad = (64 - static_cast<std::size_t>(s.data() - base) % 64) % 64;
  if (pad > s.size() || len > s.size() - pad) return false;
  s.remove_prefix(pad);
  db = reinterpret_cast<const hs_database_t*>(s.data());
  std::size_t size = 0;
  // The header read back: Hyperscan's own magic and version checks, and the size.
  const bool ok = hs_database_size(db, &size) == HS_SUCCESS && size == len;
  s.remove_prefix(static_cast<std::size_t>(len));
  return ok;
}

// "prfsilt5": ASCII patterns are read as bytes (relax(), Relax::bytes), and \S and \v
// are written as RE2 means them (vertical tab), which a "prfsilt4" file did not do (and a
// silt that wrote one does not check texts for the Kelvin sign and the long s);
// "prfsilt4": \Q...\E and a POSIX class inside a class are copied as they are by
// relaxed_pattern (a "prfsilt3" file may hold a \Q...\E pattern relaxed into other text);
// "prfsilt3": a caseless pattern naming a cased letter beyond ASCII by an escape or a
// Unicode class stays with RE2 (names_other_cased), which "prfsilt2" files did not do;
// "prfsilt2": a cache file is written only for patterns checked not to match the empty
// text (compile_rules), which those of "prfsilt1" were not. Older files read as stale.
constexpr std::uint64_t magic = 0x35746c6973667270ull;

}  // namespace

struct PrefilterBuilder {
  static std::shared_ptr<Prefilter> make() { return std::shared_ptr<Prefilter>(new Prefilter()); }
};

Prefilter::~Prefilter() {
  if (!compiled_) return;  // read back: the databases live in the bytes
  for (auto& g : groups_)
    if (g.db) hs_free_database(const_cast<hs_database_t*>(g.db));
  for (const Group* g : {&boilerplate_, &headings_})
    if (g->db) hs_free_database(const_cast<hs_database_t*>(g->db));
}

std::vector<const hs_database_t*> Prefilter::databases() const {
  std::vector<const hs_database_t*> out;
  for (const auto& g : groups_) out.push_back(g.db);
  out.push_back(boilerplate_.db);
  out.push_back(headings_.db);
  out.erase(std::remove(out.begin(), out.end(), nullptr), out.end());
  return out;
}

std::string Prefilter::database_info() const {
  std::string all;
  for (const hs_database_t* db : databases()) {
    char* info = nullptr;
    if (hs_database_info(db, &info) != HS_SUCCESS || !info) continue;
    all.append(info).push_back('\n');
    std::free(info);
  }
  return all;
}

std::uint64_t Prefilter::fingerprint(const PrefilterSource& src) {
  // Everything the databases depend on, each list after its count and each text after
  // its length (so no two sources give the same bytes), hashed at once: this runs at
  // every start.
  std::string all;
  auto add = [&](std::string_view s) {
    put_u64(all, s.size());
    all.append(s);
  };
  add(hs_version());
  put_u64(all, src.rules.size());
  for (const auto& r : src.rules) {
    add(r.text);
    add(r.unless);
    add(r.case_sensitive ? "s" : "i");
    put_u64(all, r.fields.size());
    for (auto f : r.fields) put_u64(all, f);
  }
  put_u64(all, src.boilerplate.size());
  for (const auto& b : src.boilerplate) add(b);
  put_u64(all, src.headings.size());
  for (const auto& h : src.headings) add(h);
  return text_hash(all);
}

Result<std::shared_ptr<const Prefilter>> Prefilter::compile(const PrefilterSource& src, Target target) {
  if (hs_valid_platform() != HS_SUCCESS) return Error{"Hyperscan does not run on this CPU", 0, 0, "no-hyperscan"};
  auto pf = PrefilterBuilder::make();
  pf->compiled_ = true;
  const auto& fields = issue_fields();
  pf->group_of_field_.assign(fields.size(), static_cast<std::size_t>(-1));
  pf->reads_.assign(fields.size(), std::vector<bool>(src.rules.size(), false));
  pf->unfiltered_.assign(fields.size(), {});
  std::vector<std::vector<std::tuple<std::size_t, std::string, bool>>> groups(3);
  std::vector<std::vector<bool>> in_group(3, std::vector<bool>(src.rules.size(), false));
  for (std::size_t r = 0; r < src.rules.size(); ++r)
    for (std::size_t f : src.rules[r].fields) {
      pf->reads_[f][r] = true;
      const std::size_t g = field_group(fields[f]);
      pf->group_of_field_[f] = g;
      if (!in_group[g][r]) {
        in_group[g][r] = true;
        groups[g].emplace_back(r, src.rules[r].text, !src.rules[r].case_sensitive);
      }
    }
  for (auto& g : groups) {
    Compiled c = compile_group(g, false, target);
    pf->groups_.push_back({c.db, c.ids});
    for (std::size_t r : c.unfiltered)
      for (std::size_t f : src.rules[r].fields) pf->unfiltered_[f].push_back(r);
  }
  std::vector<std::tuple<std::size_t, std::string, bool>> boiler, heads;
  for (std::size_t i = 0; i < src.boilerplate.size(); ++i) boiler.emplace_back(i, src.boilerplate[i], true);
  for (std::size_t i = 0; i < src.headings.size(); ++i) heads.emplace_back(i, src.headings[i], true);
  Compiled b = compile_group(boiler, false, target), h = compile_group(heads, true, target);
  pf->boilerplate_ = {b.db, b.ids};
  pf->boilerplate_unfiltered_ = b.unfiltered;
  pf->headings_ = {h.db, h.ids};
  pf->headings_unfiltered_ = h.unfiltered;
  for (auto& u : pf->unfiltered_) std::sort(u.begin(), u.end());
  return std::shared_ptr<const Prefilter>(pf);
}

std::string Prefilter::serialize(std::uint64_t fingerprint) const {
  std::string s;
  put_u64(s, magic);
  put_u64(s, fingerprint);
  put_list(s, group_of_field_);
  put_u64(s, reads_.empty() ? 0 : reads_[0].size());
  for (const auto& field : reads_) {
    std::vector<std::size_t> list;
    for (std::size_t r = 0; r < field.size(); ++r)
      if (field[r]) list.push_back(r);
    put_list(s, list);
  }
  for (const auto& u : unfiltered_) put_list(s, u);
  put_u64(s, groups_.size());
  for (const auto& g : groups_) {
    put_list(s, g.rule_of);
    put_db(s, g.db);
  }
  for (const Group* g : {&boilerplate_, &headings_}) {
    put_list(s, g->rule_of);
    put_db(s, g->db);
  }
  put_list(s, boilerplate_unfiltered_);
  put_list(s, headings_unfiltered_);
  return s;
}

Result<std::shared_ptr<const Prefilter>> Prefilter::deserialize(std::string_view s, const PrefilterSource& source) {
  return read(s, source, nullptr, true);
}

Result<std::shared_ptr<const Prefilter>> Prefilter::deserialize(std::string_view s, const PrefilterSource& source,
                                                                std::shared_ptr<const void> owner) {
  const bool in_place = owner != nullptr;
  return read(s, source, std::move(owner), in_place);
}

// Maps the pages of `s` (a database read in place: the built-in one, in the executable,
// or a cache file) in one call: Hyperscan reads a database whole for its checksum when
// a scratch is first made for it, and the page faults of that read, one a few pages,
// cost more on a virtual machine than the reading (Linux 5.14 on; elsewhere the faults
// come as before).
static void map_at_once(std::string_view s) {
#ifdef MADV_POPULATE_READ
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const std::uintptr_t from = reinterpret_cast<std::uintptr_t>(s.data()) / page * page;
  const std::uintptr_t to = reinterpret_cast<std::uintptr_t>(s.data()) + s.size();
  if (to > from) madvise(reinterpret_cast<void*>(from), to - from, MADV_POPULATE_READ);
#else
  (void)s;
#endif
}

Result<std::shared_ptr<const Prefilter>> Prefilter::read(std::string_view s, const PrefilterSource& source,
                                                         std::shared_ptr<const void> owner, bool in_place) {
  const Error stale{"the compiled prefilter is not for these rules", 0, 0, "stale-prefilter"};
  const std::size_t nrules = source.rules.size(), nf = issue_fields().size();
  // Every index read must be in range: the bytes may come from anywhere.
  auto below = [](const std::vector<std::size_t>& v, std::size_t n) {
    return std::all_of(v.begin(), v.end(), [n](std::size_t x) { return x < n; });
  };
  std::uint64_t m = 0, fp = 0, n = 0, ngroups = 0;
  auto pf = PrefilterBuilder::make();
  if (!in_place || reinterpret_cast<std::uintptr_t>(s.data()) % 64 != 0) {  // a copy, aligned
    pf->copy_.reset(static_cast<char*>(std::aligned_alloc(64, (s.size() + 63) / 64 * 64)));
    if (!pf->copy_) return Error{"out of memory", 0, 0, "no-hyperscan"};
    std::memcpy(pf->copy_.get(), s.data(), s.size());
    s = std::string_view(pf->copy_.get(), s.size());
  } else {
    pf->owner_ = std::move(owner);
    map_at_once(s);
  }
  const char* base = s.data();
  if (!get_u64(s, m) || m != magic || !get_u64(s, fp) || fp != fingerprint(source)) return stale;
  if (!get_list(s, pf->group_of_field_) || pf->group_of_field_.size() != nf || !get_u64(s, n) || n != nrules)
    return stale;
  pf->reads_.assign(nf, std::vector<bool>(nrules, false));
  for (std::size_t f = 0; f < nf; ++f) {
    std::vector<std::size_t> list;
    if (!get_list(s, list) || !below(list, nrules)) return stale;
    for (std::size_t r : list) pf->reads_[f][r] = true;
  }
  pf->unfiltered_.resize(nf);
  for (auto& u : pf->unfiltered_)
    if (!get_list(s, u) || !below(u, nrules)) return stale;
  if (!get_u64(s, ngroups) || ngroups > 16) return stale;
  for (std::uint64_t g = 0; g < ngroups; ++g) {
    pf->groups_.emplace_back();  // owned from here, freed with pf
    if (!get_list(s, pf->groups_.back().rule_of) || !below(pf->groups_.back().rule_of, nrules) ||
        !get_db(s, base, pf->groups_.back().db))
      return stale;
  }
  for (std::size_t f = 0; f < nf; ++f)
    if (pf->group_of_field_[f] != static_cast<std::size_t>(-1) && pf->group_of_field_[f] >= ngroups) return stale;
  for (auto [g, count] :
       {std::pair{&pf->boilerplate_, source.boilerplate.size()}, std::pair{&pf->headings_, source.headings.size()}})
    if (!get_list(s, g->rule_of) || !below(g->rule_of, count) || !get_db(s, base, g->db)) return stale;
  if (!get_list(s, pf->boilerplate_unfiltered_) || !below(pf->boilerplate_unfiltered_, source.boilerplate.size()) ||
      !get_list(s, pf->headings_unfiltered_) || !below(pf->headings_unfiltered_, source.headings.size()) || !s.empty())
    return stale;
  // Compiled for this CPU's features (at build time, on this machine or one like it)?
  for (const hs_database_t* db : pf->databases())
    if (!tls.for_db(db)) return Error{"the prefilter was compiled for another CPU", 0, 0, "stale-prefilter"};
  return std::shared_ptr<const Prefilter>(pf);
}

void Prefilter::candidates(std::size_t field, std::string_view text, std::vector<std::size_t>& out) const {
  out.clear();
  if (field >= group_of_field_.size() || group_of_field_[field] >= groups_.size()) return;
  const Group& g = groups_[group_of_field_[field]];
  collect(g.db, g.rule_of, text, out);
  const auto& reads = reads_[field];
  out.erase(std::remove_if(out.begin(), out.end(), [&](std::size_t r) { return !reads[r]; }), out.end());
  out.insert(out.end(), unfiltered_[field].begin(), unfiltered_[field].end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

void Prefilter::boilerplate_candidates(std::string_view text, std::vector<std::size_t>& out) const {
  out.clear();
  collect(boilerplate_.db, boilerplate_.rule_of, text, out);
  out.insert(out.end(), boilerplate_unfiltered_.begin(), boilerplate_unfiltered_.end());
  std::sort(out.begin(), out.end());
}

void Prefilter::heading_candidates(std::string_view heading, std::vector<std::size_t>& out) const {
  out.clear();
  collect(headings_.db, headings_.rule_of, heading, out);
  out.insert(out.end(), headings_unfiltered_.begin(), headings_unfiltered_.end());
  std::sort(out.begin(), out.end());
}

}  // namespace silt::detail
