#include "silt/report.h"

#include <md4c.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <optional>

namespace silt {

namespace {

enum class Section { current, expected, other, system };

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// The section a template heading opens, if it is one.
std::optional<Section> section_of(std::string_view heading) {
  static const RE2 system(R"((?i)^\W*(system information|environment|system info|versions?)\W*$)");
  static const RE2 current(
      R"((?i)^\W*(describe the (current|actual) behaviou?r|(current|actual|observed) behaviou?r|describe the (bug|problem|issue)|what happened|bug description|the (bug|problem|issue))\W*$)");
  static const RE2 expected(
      R"((?i)^\W*(describe the expected behaviou?r|expected behaviou?r|expected (result|output)s?|what did you expect.*)\W*$)");
  static const RE2 other(
      R"((?i)^\W*(standalone code.*|code to reproduce.*|(steps )?to reproduce.*|reproduc.*|other info.*|logs?|additional (context|information).*|contributing|will this change.*|who will benefit.*|any other info.*)\W*$)");
  if (RE2::FullMatch(heading, system)) return Section::system;
  if (RE2::FullMatch(heading, current)) return Section::current;
  if (RE2::FullMatch(heading, expected)) return Section::expected;
  if (RE2::FullMatch(heading, other)) return Section::other;
  return std::nullopt;
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
      R"(^\s*(Traceback|File "|\w*(Error|Exception|Warning):|Epoch \d|\d+/\d+ \[|\[=*>?\.*\]|WARNING|INFO|DEBUG|ERROR|[IWEF]\d{4} |\d{4}-\d\d-\d\d|>>>|Model: |Layer \(type\)|Total params|Trainable params|Non-trainable params|_{5,}|={5,}|-?\d|\[|\(|tensor\(|array\(|tf\.Tensor\(|<tf\.))");
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
  // A paragraph is output only when most of its lines, two or more, look so.
  if (prose) return out >= 2 && 2 * out > seen;
  return out > code;
}

struct Reader {
  const std::function<bool(std::string_view)>& is_boilerplate;
  ReportFields f;
  Section section = Section::current;
  int depth_code = 0, depth_html = 0, depth_heading = 0, depth_strong = 0, depth_list_item = 0;
  std::string block;   // the text of the current paragraph, heading or list item
  std::string strong;  // bold text at the very start of the paragraph
  bool strong_leads = false;
  std::string code_text, code_lang;
  bool in_paragraph = false;

  std::string& target() {
    switch (section) {
      case Section::expected:
        return f.prose_expected;
      case Section::other:
        return f.prose_other;
      case Section::system:
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

  // A paragraph or list item is done: decide where its text goes.
  void flush_block() {
    std::string text = block;
    block.clear();
    // "**Describe the current behavior**" leading a paragraph opens that section; the
    // rest of the paragraph belongs to it.
    if (strong_leads && !strong.empty()) {
      if (auto s = section_of(strong)) {
        section = *s;
        f.dropped += strong + "\n";
        text.erase(
            0, std::min(text.size(), text.find(strong) == std::string::npos ? 0 : text.find(strong) + strong.size()));
      }
    }
    strong.clear();
    strong_leads = false;
    if (text.find_first_not_of(" \t\r\n*:") == std::string::npos) return;
    if (section == Section::system || (is_boilerplate && is_boilerplate(text))) {
      append(f.dropped, text);
      return;
    }
    if (looks_like_output(text, "", true)) {
      append(f.output, text);  // lines pasted raw, not in a code block
      return;
    }
    append(target(), text);
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
      case MD_BLOCK_H:
        ++self->depth_heading;
        self->block.clear();
        break;
      case MD_BLOCK_P:
        self->in_paragraph = true;
        self->block.clear();
        break;
      case MD_BLOCK_LI:
        ++self->depth_list_item;
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
        std::string& dst = self->section == Section::system                      ? self->f.dropped
                           : looks_like_output(self->code_text, self->code_lang) ? self->f.output
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
      case MD_BLOCK_H: {
        --self->depth_heading;
        std::string heading = self->block;
        self->block.clear();
        if (auto s = section_of(heading)) self->section = *s;
        self->f.dropped += heading + "\n";
        break;
      }
      case MD_BLOCK_P:
        self->in_paragraph = false;
        self->flush_block();
        break;
      case MD_BLOCK_LI:
        --self->depth_list_item;
        if (!self->block.empty()) self->flush_block();  // a tight list item has no paragraph
        break;
      default:
        break;
    }
    return 0;
  }

  static int enter_span(MD_SPANTYPE type, void*, void* self_) {
    auto* self = static_cast<Reader*>(self_);
    if (type == MD_SPAN_STRONG) {
      if (self->block.find_first_not_of(" \t\r\n") == std::string::npos) self->strong_leads = true;
      ++self->depth_strong;
    }
    return 0;
  }

  static int leave_span(MD_SPANTYPE type, void*, void* self_) {
    auto* self = static_cast<Reader*>(self_);
    if (type == MD_SPAN_STRONG) --self->depth_strong;
    return 0;
  }

  static int text(MD_TEXTTYPE type, const MD_CHAR* t, MD_SIZE size, void* self_) {
    auto* self = static_cast<Reader*>(self_);
    std::string_view s(t, size);
    if (self->depth_html > 0 || type == MD_TEXT_HTML) {
      self->f.dropped.append(s);
      return 0;
    }
    if (self->depth_code > 0) {
      self->code_text.append(s);
      return 0;
    }
    if (type == MD_TEXT_CODE) append(self->f.code, s);  // inline code stays in the sentence too
    if (type == MD_TEXT_SOFTBR || type == MD_TEXT_BR) {
      self->block += '\n';
      return 0;
    }
    if (self->depth_strong > 0 && self->strong_leads) self->strong.append(s);
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
  return issue;
}

ReportFields read_report(std::string_view body, const std::function<bool(std::string_view)>& is_boilerplate) {
  // A body this long is logs: its Markdown is read up to the last line break before the
  // bound (the body field still holds all of it).
  if (body.size() > max_report_bytes) {
    std::size_t cut = body.rfind('\n', max_report_bytes);
    body = body.substr(0, cut == std::string_view::npos ? max_report_bytes : cut);
  }
  Reader r{is_boilerplate, {}};
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
  r.f.prose = r.f.prose_current + r.f.prose_expected + r.f.prose_other;
  return std::move(r.f);
}

}  // namespace silt
