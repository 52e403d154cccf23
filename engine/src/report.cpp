#include "silt/report.h"
#include "silt/utf8.h"

#include <md4c.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

namespace silt {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) out.push_back(line);
    pos = nl + 1;
  }
  return out;
}

std::size_t words_in(std::string_view s) {
  std::size_t n = 0;
  bool in = false;
  for (char c : s) {
    const bool w = std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80;
    if (w && !in) ++n;
    in = w;
  }
  return n;
}

// Whether a block of text reads as console output rather than source code.
bool looks_like_output(std::string_view text, std::string_view lang, bool prose = false) {
  std::string l = lower(lang);
  static const char* source_langs[] = {"python", "py", "python3", "c++",     "cpp",  "c",    "java", "javascript",
                                       "js",     "r",  "julia",   "ipython", "yaml", "json", "sh",   "bash"};
  for (const char* s : source_langs)
    if (l == s) return false;
  static const char* output_langs[] = {"text",          "txt",  "console",   "log",       "logs", "output",
                                       "shell-session", "pytb", "traceback", "plaintext", "none"};
  for (const char* s : output_langs)
    if (l == s) return true;
  static const RE2 code_line(
      R"(^\s*(import \w|from [\w.]+ import|def \w|class \w|for .* in .*:|if .*:|while .*:|return\b|print\(|@\w|[\w.\[\]]+\s*(=|\+=|-=)\s*\S|[\w.]+\(.*\)\s*$|#))");
  static const RE2 output_line(
      R"(^\s*(Traceback|File "|\w*(Error|Exception|Warning):|Epoch \d|\d+/\d+ \[|\[=*>?\.*\]|WARNING|INFO|DEBUG|ERROR|[IWEF]\d{4} |\d{4}-\d\d-\d\d|>>>|Model: |Layer \(type\)|Total params|Trainable params|Non-trainable params|_{5,}|={5,}|-?\d|\[|\(|tensor\(|array\(|tf\.Tensor\(|<tf\.)|\w+(Warning|Error):)");
  // The first 50 non-blank lines decide: a log of thousands of lines says no more.
  int code = 0, out = 0, seen = 0;
  std::size_t pos = 0;
  while (pos < text.size() && seen < 50) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    ++seen;
    if (RE2::PartialMatch(line, output_line))
      ++out;
    else if (RE2::PartialMatch(line, code_line))
      ++code;
  }
  // A paragraph is output (or code) only when most of its lines, two or more, look so.
  if (prose) return out >= 2 && 2 * out > seen;
  return out > code;
}

// Whether a paragraph is source code pasted without a code block: two lines or more,
// most of them statements.
bool looks_like_code(std::string_view text) {
  static const RE2 code_line(
      R"(^\s*(import \w+|from [\w.]+ import \w|def \w+\(|class \w+[(:]|for \w+ in .*:$|if .*:$|while .*:$|return\b|print\(|@\w+|[\w.\[\], ]+\s*(=|\+=|-=)\s*[\w\[({'"-]|[\w.]+\(.*\)\s*$))");
  auto lines = lines_of(text);
  if (lines.size() < 2) return false;
  std::size_t code = 0;
  for (auto l : lines) code += RE2::PartialMatch(l, code_line);
  return 2 * code > lines.size();
}

// Whether a paragraph of the environment section is prose the reporter wrote on with:
// eight words or more, most lines not "key: value" and not short.
bool prose_after_environment(std::string_view text) {
  static const RE2 key_value(R"(^[^.!?]{1,80}:(\s|$))");
  auto lines = lines_of(text);
  std::size_t prose = 0;
  for (auto l : lines) prose += !RE2::PartialMatch(l, key_value) && words_in(l) >= 6;
  return words_in(text) >= 8 && 2 * prose > lines.size();
}

struct Reader {
  const ReportTemplate& tmpl;
  std::string_view body;  // what md4c reads: a span it hands back is clamped to it
  ReportFields f;
  Section section = Section::current;
  int depth_code = 0, depth_html = 0, depth_heading = 0, depth_strong = 0, depth_list_item = 0, depth_quote = 0;
  // The current paragraph, heading or list item, since the last heading line in it.
  std::string block;
  // The line being read in `block`: where it starts, its bold text at the start, and
  // whether it is bold (or punctuation) from start to end.
  std::size_t line_start = 0, lead_end = 0;
  std::string lead_strong;
  bool lead_open = true, only_strong = true;
  std::string code_text, code_lang;

  std::optional<Section> heading(std::string_view text) const {
    if (!tmpl.section_of) return std::nullopt;
    return tmpl.section_of(text);
  }

  std::string& target() {
    if (depth_quote > 0) return f.quoted;
    switch (section) {
      case Section::expected:
        return f.prose_expected;
      case Section::other:
        return f.prose_other;
      case Section::logs:
        return f.output;
      case Section::environment:
        return f.dropped;
      default:
        return f.prose_current;
    }
  }

  static void append(std::string& dst, std::string_view text) {
    if (text.empty()) return;
    dst.append(text);
    if (dst.back() != '\n') dst += '\n';
  }

  void new_line() {
    line_start = block.size();
    lead_end = line_start;
    lead_strong.clear();
    lead_open = true;
    only_strong = true;
  }

  // A stretch of a paragraph or list item is done: where does its text go?
  void flush_text(std::string text, bool paragraph) {
    if (text.find_first_not_of(" \t\r\n*:") == std::string::npos) return;
    if (tmpl.is_boilerplate && tmpl.is_boilerplate(text)) {
      append(f.dropped, text);
      return;
    }
    // The reporter wrote on after the system information without a heading.
    if (section == Section::environment && paragraph && depth_quote == 0 && prose_after_environment(text))
      section = Section::current;
    if (section == Section::environment) {
      append(f.dropped, text);
      return;
    }
    if (section != Section::logs && depth_quote == 0) {
      if (looks_like_output(text, "", true)) {
        append(f.output, text);  // lines pasted raw, not in a code block
        return;
      }
      if (looks_like_code(text)) {
        append(f.code, text);  // source pasted without a code block
        return;
      }
    }
    // A paragraph's line breaks are the reporter's wrapping, not sentence ends.
    if (section != Section::logs) std::replace(text.begin(), text.end(), '\n', ' ');
    append(target(), text);
  }

  // The line just read: a template heading when it is bold from start to end, or when it
  // starts with bold text that is one (the rest of the line then belongs to the
  // section), or when it is plain text ending with ':' that is one. What came before it
  // goes to the section it ends.
  void end_line(bool paragraph) {
    std::string_view line = std::string_view(block).substr(line_start);
    std::optional<Section> s;
    std::size_t keep_from = block.size();  // of this line, what follows the heading
    if (!lead_strong.empty() && (s = heading(lead_strong))) {
      keep_from = only_strong ? block.size() : lead_end;
    } else if (depth_list_item == 0 && !line.empty() && line.find_first_not_of(" \t") != std::string_view::npos) {
      std::string_view t = line;
      while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r')) t.remove_suffix(1);
      if (!t.empty() && t.back() == ':' && words_in(t) <= 8) s = heading(t);
    }
    if (!s) return;
    std::string before = block.substr(0, line_start);
    std::string after = block.substr(keep_from);
    append(f.dropped, block.substr(line_start, keep_from - line_start));
    flush_text(std::move(before), paragraph);
    section = *s;
    block = std::move(after);
    line_start = 0;
  }

  void end_block(bool paragraph) {
    end_line(paragraph);
    flush_text(std::move(block), paragraph);
    block.clear();
    new_line();
  }

  static int enter_block(MD_BLOCKTYPE type, void* detail, void* self_) {
    auto* self = static_cast<Reader*>(self_);
    switch (type) {
      case MD_BLOCK_CODE: {
        ++self->depth_code;
        self->code_text.clear();
        self->code_lang.clear();
        auto* d = static_cast<MD_BLOCK_CODE_DETAIL*>(detail);
        if (d && d->lang.text) self->code_lang.assign(d->lang.text, d->lang.size);
        break;
      }
      case MD_BLOCK_HTML:
        ++self->depth_html;
        break;
      case MD_BLOCK_QUOTE:
        ++self->depth_quote;
        break;
      case MD_BLOCK_H:
        ++self->depth_heading;
        self->block.clear();
        self->new_line();
        break;
      case MD_BLOCK_P:
        if (self->depth_list_item > 0 && !self->block.empty()) self->end_block(false);
        self->block.clear();
        self->new_line();
        break;
      case MD_BLOCK_TH:
      case MD_BLOCK_TD:  // a table's cells, read as a row of text "a | b | c" (they were glued: "abc")
        if (!self->block.empty()) self->block += " | ";
        break;
      case MD_BLOCK_LI:
        if (!self->block.empty()) self->end_block(false);  // a tight item's text before its sub-list
        ++self->depth_list_item;
        self->new_line();
        break;
      default:
        break;
    }
    return 0;
  }

  static int leave_block(MD_BLOCKTYPE type, void*, void* self_) {
    auto* self = static_cast<Reader*>(self_);
    switch (type) {
      case MD_BLOCK_CODE: {
        --self->depth_code;
        std::string& dst = self->section == Section::environment ? self->f.dropped
                           : self->section == Section::logs || looks_like_output(self->code_text, self->code_lang)
                               ? self->f.output
                               : self->f.code;
        if (dst.empty())
          dst = std::move(self->code_text);  // a big log block is moved, not copied
        else
          dst.append(self->code_text);
        if (!dst.empty() && dst.back() != '\n') dst += '\n';
        self->code_text = std::string();
        break;
      }
      case MD_BLOCK_HTML:
        --self->depth_html;
        break;
      case MD_BLOCK_QUOTE:
        --self->depth_quote;
        break;
      case MD_BLOCK_H: {
        --self->depth_heading;
        std::string text = std::move(self->block);
        self->block.clear();
        self->new_line();
        if (auto s = self->heading(text)) {
          self->section = *s;
          self->f.dropped += text + "\n";
        } else if (self->section == Section::environment) {
          self->f.dropped += text + "\n";
        } else {
          append(self->target(), text);  // a heading the reporter wrote: their words
        }
        break;
      }
      case MD_BLOCK_P:
        self->end_block(self->depth_list_item == 0);
        break;
      case MD_BLOCK_TR:  // each row a line of its own
        if (!self->block.empty()) self->end_block(true);
        break;
      case MD_BLOCK_LI:
        --self->depth_list_item;
        if (!self->block.empty()) self->end_block(false);  // a tight list item has no paragraph
        break;
      default:
        break;
    }
    return 0;
  }

  static int enter_span(MD_SPANTYPE type, void*, void* self_) {
    auto* self = static_cast<Reader*>(self_);
    if (type == MD_SPAN_STRONG) ++self->depth_strong;
    return 0;
  }

  static int leave_span(MD_SPANTYPE type, void*, void* self_) {
    auto* self = static_cast<Reader*>(self_);
    if (type == MD_SPAN_STRONG) {
      --self->depth_strong;
      if (self->depth_strong == 0 && self->lead_open && !self->lead_strong.empty()) {
        self->lead_open = false;  // the line's leading bold text is complete
        self->lead_end = self->block.size();
      }
    }
    return 0;
  }

  static bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n:.*-") == std::string_view::npos; }

  static int text(MD_TEXTTYPE type, const MD_CHAR* t, MD_SIZE size, void* self_) {
    auto* self = static_cast<Reader*>(self_);
    // A span that starts in the body never runs past its end (the fuzzer saw md4c hand
    // one back on a body ending in an unfinished link, before it was given a copy).
    const char* end = self->body.data() + self->body.size();
    if (t >= self->body.data() && t <= end && size > static_cast<MD_SIZE>(end - t))
      size = static_cast<MD_SIZE>(end - t);
    std::string_view s(t, size);
    if (self->depth_html > 0 || type == MD_TEXT_HTML) {
      self->f.dropped.append(s);
      return 0;
    }
    if (self->depth_code > 0) {
      self->code_text.append(s);
      return 0;
    }
    if (type == MD_TEXT_SOFTBR || type == MD_TEXT_BR) {
      self->end_line(self->depth_list_item == 0);
      self->block += '\n';
      self->new_line();
      return 0;
    }
    if (type == MD_TEXT_CODE) append(self->f.code, s);  // inline code stays in the sentence too
    if (self->depth_strong > 0) {
      if (self->lead_open) self->lead_strong.append(s);
    } else if (!blank(s)) {
      self->only_strong = false;
      if (self->lead_open) {
        self->lead_open = false;  // text before any bold: no leading bold on this line
        self->lead_strong.clear();
      }
    }
    self->block.append(s);
    return 0;
  }
};

}  // namespace

IssueView with_report(IssueView issue, const ReportFields& report) {
  issue.prose = report.prose;
  issue.prose_current = report.prose_current;
  issue.prose_expected = report.prose_expected;
  issue.prose_other = report.prose_other;
  issue.code = report.code;
  issue.output = report.output;
  issue.quoted = report.quoted;
  return issue;
}

ReportFields read_report(std::string_view body, const ReportTemplate& tmpl) {
  // A body this long is logs: its Markdown is read up to the bound, cut at a line break
  // in the last 64 KiB before it, else inside the line (between two characters, not in
  // one): a single line past the bound still gives its first 4 MiB. The body field still
  // holds all of it; unread_bytes says how much was not read.
  std::size_t unread = 0;
  if (body.size() > max_report_bytes) {
    std::size_t cut = body.rfind('\n', max_report_bytes);
    if (cut == std::string_view::npos || cut + (64u << 10) < max_report_bytes) cut = utf8_cut(body, max_report_bytes);
    unread = body.size() - cut;
    body = body.substr(0, cut);
  }
  // md4c 0.4.8 reads past the end of a text ending in an unfinished link ("[](") and,
  // when a ')' lies there, parses on into what follows (a crash; the fuzzer found it): it
  // reads a copy, which ends with a NUL, kept from record to record.
  thread_local std::string copy;
  copy.assign(body);
  body = copy;
  Reader r{.tmpl = tmpl, .body = body};
  r.f.unread_bytes = unread;
  MD_PARSER parser{};
  parser.abi_version = 0;
  parser.flags = MD_DIALECT_GITHUB;
  parser.enter_block = &Reader::enter_block;
  parser.leave_block = &Reader::leave_block;
  parser.enter_span = &Reader::enter_span;
  parser.leave_span = &Reader::leave_span;
  parser.text = &Reader::text;
  if (md_parse(body.data(), static_cast<MD_SIZE>(body.size()), &parser, &r) != 0) {
    r.f.prose_current = std::string(body);  // cannot happen with md4c's callbacks returning 0
  }
  if (!r.block.empty()) r.end_block(true);
  r.f.prose = r.f.prose_current + r.f.prose_expected + r.f.prose_other;
  return std::move(r.f);
}

}  // namespace silt
