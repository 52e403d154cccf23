// Rendering of results for the terminal. Pure functions from values to strings, plus
// the one that prints diagnostics.
#include <locale.h>
#include <unistd.h>
#include <wchar.h>

#include <algorithm>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cwchar>
#include <iostream>

#include "cli.h"
#include "silt/json_writer.h"
#include "silt/utf8.h"

namespace silt::cli {
namespace {

struct Style {
  bool on;
  std::string operator()(const std::string& s, const char* code) const {
    return on ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
  }
};

std::string fixed(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string score_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", std::round(v * 100) / 100);
  return buf;
}

std::string pad(const std::string& s, std::size_t w) {
  return s + std::string(w > width(s) ? w - width(s) : 0, ' ');
}

std::string level_text(const Classification& c) {
  if (!c.level) return "none";
  return "level " + std::to_string(*c.level) + (c.threat.empty() ? "" : " (" + c.threat + " threat)");
}

const char* threat_color(const std::string& threat) {
  return threat == "high" ? "1;31" : "1;33";
}

std::string one_line(const std::string& s, std::size_t max) {
  std::string out;
  for (char ch : s) out += (ch == '\n' || ch == '\r' || ch == '\t') ? ' ' : ch;
  if (out.size() > max) {
    out = out.substr(0, utf8_cut(out, max)) + "...";
  }
  return out;
}

// One letter for a criterion's source in the table: given, inferred, implied (p), assumed.
std::string source_letter(AnswerSource s) {
  switch (s) {
    case AnswerSource::given:
      return "g";
    case AnswerSource::inferred:
      return "i";
    case AnswerSource::implied:
      return "p";
    case AnswerSource::assumed:
      return "a";
  }
  return "?";
}

std::string holds_text(const Taxonomy& t, const std::vector<bool>& holds) {
  std::string on;
  for (std::size_t i = 0; i < holds.size(); ++i)
    if (holds[i]) on += (on.empty() ? "" : ", ") + t.criteria[i].id;
  return on.empty() ? "no criterion holds"
                    : on + " hold" + (on.find(',') == std::string::npos ? "s" : "") + " (and no other)";
}

std::string levels_text(const Taxonomy& t, const std::vector<std::size_t>& ls) {
  std::string s;
  for (std::size_t l : ls) s += (s.empty() ? "" : ", ") + std::to_string(t.levels[l].number);
  return s;
}

}  // namespace

namespace {

// width() of text that is not all ASCII.
std::size_t width_of_utf8(std::string_view s) {
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  std::size_t w = 0;
  if (!utf8) {
    for (unsigned char ch : s) w += (ch & 0xC0) != 0x80;
    return w;
  }
  const locale_t old = uselocale(utf8);
  std::mbstate_t state{};
  const char* p = s.data();
  std::size_t left = s.size();
  while (left > 0) {
    wchar_t wc = 0;
    std::size_t n = std::mbrtowc(&wc, p, left, &state);
    if (n == static_cast<std::size_t>(-1) || n == static_cast<std::size_t>(-2)) {
      state = {};
      n = 1;
      ++w;
    } else {
      if (n == 0) n = 1;  // a NUL
      const int cw = wcwidth(wc);
      w += cw < 0 ? 1 : static_cast<std::size_t>(cw);
    }
    p += n;
    left -= n;
  }
  uselocale(old);
  return w;
}

}  // namespace

// Columns a terminal gives `s`: libc's wcwidth of each character, read as UTF-8 (C.UTF-8,
// whatever the user's locale): a CJK character takes two, a combining mark none. A byte
// that is not UTF-8, or a character wcwidth does not know, takes one.
std::size_t width(std::string_view s) {
  // ASCII, the common case, without the locale: a byte a column (wcwidth gives a control
  // character -1, counted one as below), a NUL none.
  std::size_t w = 0, i = 0;
  for (; i < s.size() && static_cast<unsigned char>(s[i]) < 0x80; ++i) w += s[i] != '\0';
  return i == s.size() ? w : w + width_of_utf8(s.substr(i));
}

std::string wrap(const std::string& text, std::size_t cols, const std::string& indent,
                 const std::optional<std::string>& first) {
  std::string out, line;
  const std::string* lead = first ? &*first : &indent;
  std::size_t start = 0;
  auto flush = [&] {
    out += *lead + line + "\n";
    lead = &indent;
    line.clear();
  };
  while (start < text.size()) {
    std::size_t end = text.find_first_of(" \n", start);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(start, end - start);
    start = end + 1;
    if (word.empty()) continue;
    if (!line.empty() && width(*lead) + width(line) + 1 + width(word) > cols) flush();
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) flush();
  return out;
}

std::string rejected_line(const Reject& r) {
  return printable(r.source) + ": rejected, " + r.code + ": " + printable(r.message);
}

std::string printable(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  char buf[16];
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b == '\n' && keep_newlines) {
      out += '\n';
    } else if (b == '\t') {
      out += ' ';
    } else if (b < 0x20 || b == 0x7f) {
      std::snprintf(buf, sizeof buf, "\\x%02x", b);
      out += buf;
    } else if (b >= 0x80 && i + 1 < text.size()) {
      // The code point of a UTF-8 sequence (the input is valid UTF-8; a stray byte is
      // shown escaped).
      std::size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
      if (len == 1 || i + len > text.size()) {
        std::snprintf(buf, sizeof buf, "\\x%02x", b);
        out += buf;
        continue;
      }
      char32_t cp = b & (0x7f >> len);
      for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
      const bool hidden = (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) ||
                          (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
      if (hidden) {
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
        out += buf;
      } else {
        out.append(text.substr(i, len));
      }
      i += len - 1;
    } else if (b >= 0x80) {
      std::snprintf(buf, sizeof buf, "\\x%02x", b);
      out += buf;
    } else {
      out += static_cast<char>(b);
    }
  }
  return out;
}

bool use_color(const std::string& when) {
  if (when == "always") return true;
  if (when == "never") return false;
  const char* term = std::getenv("TERM");
  return isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr && !(term && std::strcmp(term, "dumb") == 0);
}

std::string render_text(const Classification& c, const Taxonomy& t, bool color) {
  Style st{color};
  std::string out = st(c.id.empty() ? "(no id)" : printable(c.id), "1") + ": " + printable(c.title) + "\n";
  out += "  category    " + st(c.category, "1;32") + " (" + printable(c.category_name) + "), confidence " +
         fixed(c.confidence, 2) + (c.fallback ? ", fallback: no category rule matched" : "") + "\n";
  out += "  impact      " + (c.level ? st(level_text(c), threat_color(c.threat)) : std::string("none")) + "\n";
  out += "  silent      " +
         (c.silent ? (*c.silent ? std::string("yes") : st("no: a loud bug, out of the taxonomy's scope", "1;31"))
                   : std::string("unknown (no evidence either way)")) +
         "\n";
  out += "  criteria   ";
  for (const auto& cr : c.criteria)
    out += " " + cr.id + "=" + (cr.value ? "yes" : "no") + " (" + std::string(to_string(cr.source)) + ")";
  out += "\n  scores     ";
  std::vector<std::pair<std::string, double>> scores = c.scores;
  std::stable_sort(scores.begin(), scores.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  bool any = false;
  for (const auto& [id, s] : scores)
    if (s != 0) {
      out += " " + id + " " + score_text(s);
      any = true;
    }
  if (!any) out += " (no category evidence)";
  out += "\n  rationale\n";
  for (const auto& r : c.rationale) {
    std::string item = wrap(printable(r), 100, "      ");
    item[4] = '-';  // hang the bullet: "    - first line", then "      more"
    out += item;
  }
  if (!c.evidence.empty()) {
    out += "  evidence\n";
    std::size_t wr = 0;
    for (const auto& e : c.evidence) wr = std::max(wr, e.rule.size());
    for (const auto& e : c.evidence) {
      std::string where = e.field + "[" + std::to_string(e.start) + ":" + std::to_string(e.end) + "]";
      out += "    " + pad(e.rule, wr) + "  " + pad(std::string(to_string(e.kind)) + ":" + e.target, 34) + " " +
             pad(where, 18) + " " + st("\"" + printable(one_line(e.text, 60)) + "\"", "36") + "\n";
    }
  }
  (void)t;
  return out;
}

std::string render_table(const std::vector<Classification>& cs, const Taxonomy& t, bool color) {
  Style st{color};
  std::vector<std::string> head = {"ISSUE", "CATEGORY", "CONF", "LEVEL", "THREAT"};
  for (const auto& c : t.criteria) head.push_back(c.id);
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 0; i < cs.size(); ++i) {
    const auto& c = cs[i];
    const bool loud = c.silent && !*c.silent;
    std::vector<std::string> row = {printable(c.id), c.category + (c.fallback ? "*" : "") + (loud ? "!" : ""),
                                    fixed(c.confidence, 2) + (c.needs_review ? "?" : ""),
                                    c.level ? std::to_string(*c.level) : "-", c.level ? c.threat : "-"};
    for (const auto& cr : c.criteria)
      row.push_back(std::string(cr.value ? "yes" : "no") + "/" + source_letter(cr.source));
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> w(head.size());
  for (std::size_t k = 0; k < head.size(); ++k) {
    w[k] = width(head[k]);
    for (const auto& r : rows) w[k] = std::max(w[k], width(r[k]));
  }
  std::string out;
  for (std::size_t k = 0; k < head.size(); ++k) out += st(pad(head[k], w[k]), "1") + (k + 1 < head.size() ? "  " : "");
  out += "\n";
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t k = 0; k < r.size(); ++k) line += pad(r[k], w[k]) + (k + 1 < r.size() ? "  " : "");
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  out += "\n" + std::to_string(cs.size()) +
         " issue(s). Criteria: g = given, i = inferred from the text, "
         "p = implied by the category's prior (no rule fired), a = assumed not to hold by that prior. "
         "* = fallback category (no category rule matched). ! = a loud bug (an error is raised: out of the "
         "taxonomy's scope). ? = needs review.\n";
  return out;
}

std::string render_taxonomy(const Taxonomy& t, const Consensus* consensus, bool color) {
  Style st{color};
  std::string out =
      st("Taxonomy " + (t.name.empty() ? std::string("(unnamed)") : t.name), "1") + " (" + t.file + ")\n\n";
  out += st("Categories", "1") + " (fallback: " + t.categories[t.fallback].id + ")\n";
  std::size_t wid = 0;
  for (const auto& c : t.categories) wid = std::max(wid, c.id.size());
  for (const auto& c : t.categories) {
    out += "  " + st(pad(c.id, wid), "1;32") + "  " + c.name + "\n";
    if (!c.definition.empty()) out += wrap(c.definition, 96, "      ");
    if (!c.example.empty()) out += wrap("e.g. " + c.example, 96, "      ");
    if (const CategoryConsensus* s = consensus ? find(*consensus, c.id) : nullptr) {
      auto part = [](const char* name, const Summary& x) {
        return x.n ? std::string(name) + " " + fixed(x.median, 0) + " [" + score_text(x.q1) + "-" + score_text(x.q3) +
                         "]"
                   : std::string(name) + " -";
      };
      const std::size_t met = s->met_yes + s->met_no;
      out += st("      survey (1-5, median [Q1-Q3]): " + part("diagnosing", s->diagnosing) + ", " +
                    part("severity", s->severity) + ", " + part("fixing", s->fixing) +
                    (met ? "; " + fixed(100.0 * static_cast<double>(s->met_yes) / static_cast<double>(met), 0) +
                               "% met one"
                         : std::string()),
                "2") +
             "\n";
    }
  }
  std::size_t wc = std::string("threat").size();
  for (const auto& c : t.criteria) wc = std::max(wc, c.id.size());
  out += "\n" + st("Criteria", "1") + "\n";
  for (const auto& c : t.criteria) out += "  " + pad(c.id, wc) + "  " + c.question + "\n";

  out += "\n" + st("Impact matrix", "1") +
         " (X = required, O = optional, - = must not hold; hit policy: " + std::string(to_string(t.policy)) + ")\n";
  std::vector<std::size_t> lw;
  out += "  " + pad("", wc);
  for (const auto& l : t.levels) {
    std::string h = "L" + std::to_string(l.number);
    lw.push_back(std::max<std::size_t>({h.size(), l.threat.size(), 1}));
    out += "  " + pad(h, lw.back());
  }
  out += "\n";
  for (std::size_t c = 0; c < t.criteria.size(); ++c) {
    out += "  " + pad(t.criteria[c].id, wc);
    for (std::size_t l = 0; l < t.levels.size(); ++l) out += "  " + pad(std::string(1, to_char(t.cells[l][c])), lw[l]);
    out += "\n";
  }
  out += "  " + pad("threat", wc);
  for (std::size_t l = 0; l < t.levels.size(); ++l) out += "  " + pad(t.levels[l].threat, lw[l]);
  out += "\n\n" + st("Levels", "1") + "\n";
  for (const auto& l : t.levels) {
    out += "  " + std::to_string(l.number) + (l.threat.empty() ? "" : " (" + l.threat + ")") + "\n";
    if (!l.description.empty()) out += wrap(l.description, 96, "      ");
    if (const LevelConsensus* s = consensus ? find(*consensus, l.number) : nullptr)
      out += st("      survey: " + fixed(100 * s->agreement.share_high, 0) + "% agree (4-5), median " +
                    fixed(s->agreement.median, 0) + ", n=" + std::to_string(s->agreement.n),
                "2") +
             "\n";
  }
  if (consensus)
    out += "\nSurvey figures: " + std::to_string(consensus->respondents) + " respondents (silt consensus)\n";
  return out;
}

std::string render_taxonomy_json(const Taxonomy& t, const Consensus* consensus) {
  JsonWriter j;
  auto label = [&](const Label& l) {
    j.key("label");
    j.begin_object();
    j.field("name", l.name);
    j.field("color", l.color);
    j.field("description", l.description);
    j.end_object();
  };
  j.begin_object();
  j.field("name", t.name);
  j.field("file", t.file);
  j.field("fallback", t.categories[t.fallback].id);
  j.key("categories");
  j.begin_array();
  for (const auto& c : t.categories) {
    j.begin_object();
    j.field("id", c.id);
    j.field("name", c.name);
    j.field("definition", c.definition);
    j.field("example", c.example);
    label(c.label);
    j.key("implies");
    j.begin_array();
    for (std::size_t i : c.implies) j.string(t.criteria[i].id);
    j.end_array();
    j.end_object();
  }
  j.end_array();
  j.key("criteria");
  j.begin_array();
  for (const auto& c : t.criteria) {
    j.begin_object();
    j.field("id", c.id);
    j.field("question", c.question);
    j.end_object();
  }
  j.end_array();
  j.key("levels");
  j.begin_array();
  for (const auto& l : t.levels) {
    j.begin_object();
    j.field("number", l.number);
    j.field("threat", l.threat);
    j.field("description", l.description);
    label(l.label);
    j.end_object();
  }
  j.end_array();
  // As the YAML writes it: a row a criterion, a cell a level (in `levels` order).
  j.key("matrix");
  j.begin_object();
  for (std::size_t c = 0; c < t.criteria.size(); ++c) {
    j.key(t.criteria[c].id);
    j.begin_array();
    for (std::size_t l = 0; l < t.levels.size(); ++l) j.string(std::string(1, to_char(t.cells[l][c])));
    j.end_array();
  }
  j.end_object();
  j.field("hit_policy", to_string(t.policy));
  // What `silt consensus --format json` prints for these figures; null when not shown.
  j.key("consensus");
  if (consensus)
    write_json(j, *consensus);
  else
    j.null();
  j.end_object();
  return j.take();
}

std::string render_lint_text(const Taxonomy& t, const std::vector<LintFinding>& fs) {
  const std::size_t combos = std::size_t{1} << t.criteria.size();
  std::string head = t.file + ": " + std::to_string(combos) + " combinations of " + std::to_string(t.criteria.size()) +
                     " criteria checked under hit policy " + std::string(to_string(t.policy));
  if (fs.empty()) return head + ": no gap, no overlap, no masked level.\n";
  std::string out;
  std::size_t gaps = 0, overlaps = 0, masked = 0, unmet = 0;
  for (const auto& f : fs) {
    switch (f.kind) {
      case LintFinding::Kind::gap:
        ++gaps;
        out += "gap:     when " + holds_text(t, f.holds) + ", no level matches\n";
        break;
      case LintFinding::Kind::overlap:
        ++overlaps;
        out += "overlap: when " + holds_text(t, f.holds) + ", levels " + levels_text(t, f.levels) + " match; " +
               std::string(to_string(t.policy)) + " picks level " + std::to_string(t.levels[*f.chosen].number) + "\n";
        break;
      case LintFinding::Kind::masked:
        ++masked;
        out += "masked:  level " + std::to_string(t.levels[f.levels[0]].number) + " (" +
               t.levels[f.levels[0]].where.to_string() + ") is never the outcome under hit policy " +
               std::string(to_string(t.policy)) + "\n";
        break;
      case LintFinding::Kind::unmet:
        ++unmet;
        out += "unmet:   when no criterion holds, level " + std::to_string(t.levels[*f.chosen].number) +
               " is the outcome (a level with no X matches a bug that meets none)\n";
        break;
    }
  }
  return out + head + ": " + std::to_string(gaps) + " gap(s), " + std::to_string(overlaps) + " overlap(s), " +
         std::to_string(masked) + " masked level(s)" + (unmet ? ", a level for no criterion met" : "") + ".\n";
}

std::string render_lint_json(const Taxonomy& t, const std::vector<LintFinding>& fs) {
  JsonWriter j;
  j.begin_object();
  j.field("file", t.file);
  j.field("hit_policy", to_string(t.policy));
  j.field("combinations", std::uint64_t{1} << t.criteria.size());
  j.field("clean", fs.empty());
  j.key("findings");
  j.begin_array();
  for (const auto& f : fs) {
    j.begin_object();
    j.field("kind", to_string(f.kind));
    if (f.kind != LintFinding::Kind::masked) {
      j.key("criteria");
      j.begin_object();
      for (std::size_t i = 0; i < f.holds.size(); ++i) {
        j.field(t.criteria[i].id, static_cast<bool>(f.holds[i]));
      }
      j.end_object();
    }
    j.key("levels");
    j.begin_array();
    for (std::size_t l : f.levels) j.integer(t.levels[l].number);
    j.end_array();
    if (f.chosen) {
      j.field("chosen", t.levels[*f.chosen].number);
    }
    j.end_object();
  }
  j.end_array();
  j.end_object();
  return j.take();
}

void print_diagnostics(const Diagnostics& ds, bool warnings, bool color) {
  for (const auto& d : ds.all())
    if (d.severity == Severity::error || warnings) std::cerr << to_text(d, color);
}

}  // namespace silt::cli
