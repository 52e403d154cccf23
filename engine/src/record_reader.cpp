#include "record_reader.h"

#include "silt/files.h"
#include "silt/utf8.h"

#include <csv.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>

namespace silt::detail {

namespace {

constexpr std::size_t block_size = 1 << 20;     // one read()
constexpr std::size_t detect_window = 4 << 20;  // what is read to tell an input's format
constexpr std::size_t chunk_target = 1 << 20;   // bytes of records a chunk aims at
constexpr std::size_t chunk_max_records = 2048;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return is_space(c); });
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string Chunk::source(const Record& r) const {
  if (r.element) return input + "[" + std::to_string(r.index) + "]";
  if (r.shares_line) return input + ":" + std::to_string(r.line) + ":" + std::to_string(r.column);
  return input + ":" + std::to_string(r.line);
}

std::size_t max_read_for_tests = 0;

void Chunk::clear() {
  seq = 0;
  input.clear();
  path.clear();
  format = InputFormat::jsonl;
  buf.clear();
  records.clear();
  csv_fields.clear();
  csv_bad.clear();
  columns.reset();
  input_error.clear();
  bytes = 0;
  outcomes.clear();
  rejects.clear();
  out.clear();
  values.clear();
  issues.clear();
}

// One open input: a file descriptor and the bytes read from it but not yet framed.
struct InputReader::Source {
  std::string name;
  std::string path;
  int fd = -1;
  bool own_fd = false;
  bool regular = false;  // a regular file: read big blocks; else return what is there
  // A regular file's size when opened, and the bytes read from it so far: a read asks for
  // no more than what is left (and a byte, to see the end), so that a small file does
  // not cost a block's allocation and zeroing (a directory of thousands of issues).
  std::uint64_t file_size = 0, bytes_read = 0;
  bool eof = false;
  InputFormat format = InputFormat::jsonl;
  std::uint64_t max_record = 0;
  std::string data;               // bytes read, from `pos` on not yet framed
  std::size_t pos = 0;            // start of the unframed bytes
  std::uint64_t data_offset = 0;  // where data[0] is in the input
  std::uint64_t line = 1;         // line number at `pos`
  std::uint64_t line_start = 0;   // where that line starts in the input
  std::uint64_t index = 0;
  std::uint64_t bytes_unaccounted = 0;

  // A record over max_record being skipped: where it started and its bytes so far.
  bool skipping = false;
  std::uint64_t skip_line = 0, skip_offset = 0, skipped = 0;
  bool skip_element = false;
  std::uint64_t skip_column = 1;  // where on its line it starts, and whether a record started there before it
  bool skip_shares_line = false;
  unsigned skip_quotes = 0;  // CSV: parity of the quotes seen, 1 while inside a quoted field

  // JSON stream framing state, kept across reads.
  std::size_t scan = 0;  // how far the current value has been scanned (from pos)
  int depth = 0;
  char opener = 0;  // the first byte of the value being framed
  bool in_string = false, escape = false, in_array = false, value_open = false;
  bool after_element = false;         // a value was taken and no comma came since (in an array, or not)
  std::int64_t element_indent = -2;   // the array's first element's indent (-1: not first on its line; -2: none yet)
  std::uint64_t scan_line = 1;        // line number at `scan`
  std::uint64_t scan_line_start = 0;  // where that line starts in the input
  // To take a broken value apart from the values after it: the openers of the containers
  // the scan is in, the last byte that was not a space outside strings, whether a string
  // held a raw newline (never valid JSON), the spaces since the last newline (-1 once
  // another byte came), and those before the value's opener (-1: not first on its line).
  std::string open_containers;
  char last_token = 0;
  bool broken = false, cut_at_next = false, next_page = false, cut_at_layout = false;
  // The scan stopped on a line that may start the next value (its end, or its first
  // byte, not read yet): the value's size is counted up to closer_end meanwhile.
  bool layout_pending = false;
  std::int64_t line_spaces = 0, indent = -1, array_indent = -1;
  // Once broken, the layout that tells where the next value starts: the line being
  // scanned as a lone closing brace (0: nothing but spaces yet, 1: a '}' and maybe a ','
  // after it, 2: anything else) and its indent; then, for the line after it, the indent
  // of the line just ended when it was such a line (else -1), where that line ends (its
  // newline) and where it started.
  int closer_state = 0;
  bool closer_comma = false;
  // The compact layout (one object a line: `{...},`): whether the line being scanned
  // opened with a '{' as far in as this value's opener, how it ends so far (0: with
  // something else, 1: with a '}', 2: with "},"), and whether the line before was such a
  // line ending so.
  bool line_opened = false, closer_compact = false;
  int line_tail = 0;
  std::int64_t closer_line_indent = -1, closer_indent = -1;
  std::uint64_t closer_end = 0, closer_start = 0;
  // The indent of the last value taken at the top level (-1: none, or not first on its line).
  std::int64_t last_indent = -1;

  // CSV state.
  csv_parser csv{};
  bool csv_ready = false;
  std::shared_ptr<CsvColumns> columns;
  std::vector<std::string> fields;  // fields of the row being parsed
  std::vector<std::vector<std::string>> rows;
  std::vector<std::pair<std::string, std::uint64_t>> row_raw;  // raw text and start line
  std::vector<std::uint64_t> row_offsets;                      // and where it starts in the input
  std::string raw_current;
  std::uint64_t raw_line = 0;
  std::uint64_t raw_offset = 0;  // where raw_current starts in the input
  bool header_done = false;
  std::string header_error;
  // CSV lines to read again after a malformed row: (text, offset in the input).
  std::deque<std::pair<std::string, std::uint64_t>> replay;
  bool csv_done = false;  // the end of the input was parsed (csv_fini called)

  ~Source() {
    if (csv_ready) csv_free(&csv);
    if (own_fd && fd >= 0) ::close(fd);
  }

  // Reads more bytes; false at end of input. Drops what was framed already.
  bool read_more() {
    if (eof) return false;
    if (pos > 0) {
      data_offset += pos;
      data.erase(0, pos);
      scan -= std::min(scan, pos);
      pos = 0;
    }
    std::size_t old = data.size(), want = max_read_for_tests ? max_read_for_tests : block_size;
    if (regular && file_size >= bytes_read)
      want = static_cast<std::size_t>(std::min<std::uint64_t>(want, file_size - bytes_read + 1));
    data.resize(old + want);
    ssize_t n;
    do n = ::read(fd, data.data() + old, want);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
      data.resize(old);
      eof = true;
      return false;
    }
    data.resize(old + static_cast<std::size_t>(n));
    bytes_unaccounted += static_cast<std::uint64_t>(n);
    bytes_read += static_cast<std::uint64_t>(n);
    return true;
  }

  // Takes data[start, end) as a record. A record bigger than a chunk, first in its
  // chunk, takes over the read buffer instead of being copied (so a 50 MB record is not
  // held twice); the bytes after it stay as `data`. Returns how many bytes were removed
  // from the front of `data` (0, or `end`): positions past `end` move back by as much.
  std::size_t take_record(Chunk& c, std::size_t start, std::size_t end, std::uint64_t at_line, bool element) {
    if (!c.records.empty() || end - start < chunk_target) {
      add_record(c, std::string_view(data).substr(start, end - start), at_line, element);
      return 0;
    }
    std::string tail = data.substr(end);
    const std::uint64_t at = data_offset + start;
    data_offset += end;
    c.buf = std::move(data);
    c.buf.resize(end);
    c.buf.erase(0, start);
    c.buf.reserve(c.buf.size() + 1);  // the byte an in-place parse holds a NUL in (see below)
    data = std::move(tail);
    Chunk::Record r;
    r.size = c.buf.size();
    r.file_offset = at;
    r.line = at_line;
    r.index = index++;
    r.element = element;
    c.records.push_back(r);
    return end;
  }

  void add_record(Chunk& c, std::string_view raw, std::uint64_t at_line, bool element) {
    Chunk::Record r;
    r.offset = c.buf.size();
    if (raw.data() >= data.data() && raw.data() <= data.data() + data.size())
      r.file_offset = data_offset + static_cast<std::uint64_t>(raw.data() - data.data());
    r.size = raw.size();
    r.line = at_line;
    r.index = index++;
    r.element = element;
    c.buf.append(raw);
    c.records.push_back(r);
  }

  // Starts skipping a record over the limit, whose first bytes (`so_far` of them, from
  // `offset` in the input) are dropped.
  void start_skip(std::uint64_t at_line, std::uint64_t offset, std::uint64_t so_far, bool element) {
    skipping = true;
    skip_line = at_line;
    skip_offset = offset;
    skipped = so_far;
    skip_element = element;
    skip_column = 1;
    skip_shares_line = false;
  }

  // The skipped record as a record of its own, marked too large, holding no bytes.
  void end_skip(Chunk& c, std::uint64_t more) {
    skipping = false;
    Chunk::Record r;
    r.offset = c.buf.size();
    r.size = skipped + more;
    r.file_offset = skip_offset;
    r.line = skip_line;
    r.index = index++;
    r.element = skip_element;
    r.column = skip_column;
    r.shares_line = skip_shares_line;
    r.too_large = true;
    c.records.push_back(r);
  }

  bool full(const Chunk& c) const { return c.buf.size() >= chunk_target || c.records.size() >= chunk_max_records; }

  // JSON Lines: every non-blank line is a record.
  void frame_lines(Chunk& c, bool at_eof) {
    while (!full(c)) {
      // The search goes on where the last one stopped: a long line read in many pieces
      // (a pipe gives 64 KB a read) is not searched again from its start at each.
      std::size_t nl = data.find('\n', std::max(pos, scan));
      if (nl == std::string::npos) scan = data.size();
      if (skipping) {
        if (nl == std::string::npos && !at_eof) {
          skipped += data.size() - pos;
          pos = data.size();
          return;
        }
        if (nl == std::string::npos) nl = data.size();
        end_skip(c, nl - pos);
        pos = std::min(nl + 1, data.size());
        ++line;
        continue;
      }
      if (nl == std::string::npos) {
        if (data.size() - pos > max_record) {
          start_skip(line, data_offset + pos, data.size() - pos, false);
          pos = data.size();
          if (at_eof) end_skip(c, 0);  // the last line (no frame comes after this one)
          return;
        }
        if (!at_eof || pos >= data.size()) return;
        nl = data.size();  // the last line has no newline
      }
      if (!blank(std::string_view(data).substr(pos, nl - pos))) {
        // Objects written one after the other with no newline between ("}{", as from
        // jq -j) are records of their own, each with its column, each held to the size
        // limit. Counted in the input's offsets: a record that takes over the read
        // buffer moves data's front.
        const std::uint64_t line_at = data_offset + pos, nl_at = data_offset + nl;
        std::uint64_t from = line_at;
        auto take_piece = [&](std::uint64_t to) {
          if (to - from > max_record) {
            start_skip(line, from, 0, false);
            end_skip(c, to - from);
          } else {
            take_record(c, from - data_offset, to - data_offset, line, false);
          }
          c.records.back().column = from - line_at + 1;
          c.records.back().shares_line = from > line_at;
          from = to;
        };
        for (std::size_t next : next_objects_on_line(std::string_view(data).substr(pos, nl - pos)))
          take_piece(line_at + next);
        take_piece(nl_at);
        nl = nl_at - data_offset;
      }
      pos = std::min(nl + 1, data.size());
      ++line;
    }
  }

  // Whether `l` holds a '}' followed by a '{', with only spaces or tabs between: a quick
  // look, strings and all, before a line is scanned for several objects.
  static bool closes_then_opens(std::string_view l) {
    for (std::size_t at = l.find('}'); at != std::string_view::npos; at = l.find('}', at + 1)) {
      const std::size_t next = l.find_first_not_of(" \t", at + 1);
      if (next != std::string_view::npos && l[next] == '{') return true;
    }
    return false;
  }

  // Where each object after the first starts on a line that holds several ("}{",
  // "} {"), by the brackets and quotes outside strings; none for a line of one value
  // (most lines: those with no '}' then '{' are not scanned). Only objects that close
  // before it are split off, so a broken one keeps what follows it on its line.
  static std::vector<std::size_t> next_objects_on_line(std::string_view l) {
    std::vector<std::size_t> starts;
    const std::size_t first = l.find_first_not_of(" \t");
    if (first == std::string_view::npos || l[first] != '{' || !closes_then_opens(l.substr(first))) return starts;
    int depth = 0;
    bool in_string = false, escape = false;
    for (std::size_t i = first; i < l.size(); ++i) {
      const char ch = l[i];
      if (in_string) {
        if (escape)
          escape = false;
        else if (ch == '\\')
          escape = true;
        else if (ch == '"')
          in_string = false;
      } else if (ch == '"') {
        in_string = true;
      } else if (ch == '{' || ch == '[') {
        ++depth;
      } else if (ch == '}' || ch == ']') {
        if (--depth < 0) break;
        if (depth == 0 && ch == '}') {
          const std::size_t next = l.find_first_not_of(" \t", i + 1);
          if (next != std::string_view::npos && l[next] == '{') starts.push_back(next);
        }
      }
    }
    return starts;
  }

  // JSON value stream: top-level objects are records, and so is each element of a
  // top-level array. Only brackets, quotes and escapes are looked at here.
  void frame_values(Chunk& c, bool at_eof) {
    while (!full(c)) {
      if (!value_open && !open_value()) return;
      if (!in_array && opener != '{' && opener != '[') {
        // Not a JSON value at all, at the top level: one bad record. After values laid
        // out one a line, text first on its line (the members of an object whose opening
        // brace is missing) runs up to the next line that opens a '{' or '[' no further
        // in than the last value (what such an object holds is indented deeper); other
        // text (a stray bracket, a bare word), up to the line's end or the next '{' or
        // '['. Its end is waited for (the search goes on where it stopped); over the size
        // limit, it is skipped as it is read.
        std::size_t resume = data.size();
        const std::size_t end = indent >= 0 && last_indent >= 0
                                    ? next_line_opening(std::max(scan, pos), last_indent, resume)
                                    : data.find_first_of("\n{[", std::max(scan, pos));
        if (end == std::string::npos && !at_eof) {
          if (!skipping && data.size() - pos > max_record) skip_here(0);
          if (skipping) {
            skipped += resume - pos;
            pass_lines(resume, line, line_start);
            pos = resume;
          }
          scan = resume;
          return;
        }
        take_not_a_value(c, end == std::string::npos ? data.size() : end);
        continue;
      }
      bool done = false;
      std::size_t end = scan_value(done);
      scan = end;
      if (skipping) {
        // A value over the limit: its bytes are dropped as they are scanned.
        if (!done && !at_eof) {
          skipped += end - pos;
          pos = scan = end;
          return;
        }
        if (cut_at_layout && closer_end < data_offset + pos) {
          skipped = closer_end - skip_offset;  // it ends with its closing line, passed over already
          end_skip(c, 0);
        } else {
          end_skip(c, end - pos);
        }
        pos = scan = end;
        line = scan_line;
        line_start = scan_line_start;
        close_value(c);
        if (!done) return;
        continue;
      }
      // Waiting to see whether the value ends with the line before: its size is up to there.
      const std::size_t size = !done && layout_pending && closer_end >= data_offset + pos
                                   ? static_cast<std::size_t>(closer_end - data_offset) - pos
                                   : end - pos;
      if (!done && size > max_record) {
        skip_here(end - pos);
        pos = scan = end;
        if (!at_eof) return;
        end_skip(c, 0);
        line = scan_line;
        line_start = scan_line_start;
        value_open = false;
        return;
      }
      if (!done) {
        if (!at_eof) return;  // need more bytes
        end = data.size();    // cut short: the worker's parse reports it
      }
      take_value(c, end, done);
      if (at_eof && !done) {
        pos = data.size();
        return;
      }
    }
  }

  // Between values: skips spaces, commas inside an array, and array brackets, then
  // opens the value that starts at pos. False when the bytes read ran out first.
  bool open_value() {
    while (pos < data.size()) {
      char ch = data[pos];
      if (ch == '\n') {
        ++line;
        line_start = data_offset + pos + 1;
      }
      if (is_space(ch) || (ch == ',' && (in_array || after_element))) {  // a comma after a value, in an array or not
        after_element = after_element && ch != ',';
        ++pos;
      } else if (!in_array && ch == '[') {
        in_array = true;
        after_element = false;
        array_indent = line_spaces;
        element_indent = -2;
        ++pos;
      } else if (in_array && ch == '[' && line_spaces >= 0 && line_spaces == array_indent &&
                 (after_element || element_indent > array_indent)) {
        // A '[' first on its line as far in as the array's own, right after an element
        // (no comma between: no element of valid JSON), or after a comma in an array
        // whose elements are indented deeper (as gh, jq and json.dumps print them): the
        // next page of gh api --paginate, after a page whose closing bracket is missing
        // (its elements whole).
        after_element = false;
        element_indent = -2;
        ++pos;
      } else if (in_array && ch == ']') {
        in_array = false;
        ++pos;
      } else {
        break;
      }
      count_line_spaces(ch);
    }
    if (pos >= data.size()) return false;
    value_open = true;
    opener = data[pos];  // kept: pos moves on while a value over the limit is skipped
    scan = pos;
    scan_line = line;
    scan_line_start = line_start;
    depth = 0;
    in_string = escape = broken = cut_at_next = next_page = cut_at_layout = false;
    closer_state = 0;
    closer_indent = -1;
    line_opened = closer_compact = false;
    line_tail = 0;
    open_containers.clear();
    last_token = 0;
    indent = line_spaces;
    if (in_array && element_indent == -2) element_indent = line_spaces;
    if (!in_array && (opener == '{' || opener == '[')) last_indent = indent;  // taken whole or skipped, alike
    return true;
  }

  void count_line_spaces(char ch) {
    if (ch == '\n')
      line_spaces = 0;
    else if (line_spaces >= 0 && (ch == ' ' || ch == '\t'))
      ++line_spaces;
    else
      line_spaces = -1;
  }

  // Whether the '{' or '[' at data[at] (not yet counted in line_spaces), first on its
  // line, starts the next value rather than one inside this one: a '{' as far in as the
  // value's own opener (the next element, or the next object of a stream), a '[' as far
  // in as the array's (the next page of gh api --paginate). Only where no value may
  // stand (after a value, or after a comma between an object's members: the brace that
  // should have closed this value is missing), so valid JSON is never split; and
  // pretty-printed values (gh, jq, json.dumps) indent what they hold deeper than
  // themselves. Never once a string has run over a line (a quote missing, or a raw
  // newline pasted into it): past that, text inside strings cannot be told from the
  // rest, and a brace in a pasted snippet would start a record that is none.
  bool starts_next_value(std::size_t at) const {
    const char ch = data[at];
    if (broken) return false;
    if (ch == '{' ? indent < 0 || line_spaces != indent : !in_array || array_indent < 0 || line_spaces != array_indent)
      return false;
    const bool in_object = !open_containers.empty() && open_containers.back() == '{';
    return in_object ? last_token != ':' : last_token != ',' && last_token != '[';
  }

  // Once broken: follows the line being scanned, byte by byte as it is scanned (the
  // bytes before it may be dropped already when the value is over the size limit).
  void track_closer(char ch) {
    if (ch == ' ' || ch == '\t' || ch == '\r') return;
    if (closer_state == 0 && ch == '}') {
      closer_state = 1;
      closer_comma = false;
      closer_line_indent = line_spaces;
    } else if (closer_state == 1 && ch == ',' && !closer_comma) {
      closer_comma = true;
    } else {
      closer_state = 2;
    }
  }

  // The compact layout: follows how the line ends, byte by byte (blanks changing nothing).
  void track_tail(char ch) {
    if (ch == ' ' || ch == '\t' || ch == '\r') return;
    line_tail = ch == '}' ? 1 : ch == ',' && line_tail == 1 ? 2 : 0;
  }
  // The same over data[from, end), passed over inside a string: its last two bytes that
  // are not blanks are all that tell.
  void track_tail(std::size_t from, std::size_t end) {
    char last[2];
    std::size_t n = 0;
    for (std::size_t k = end; k > from && n < 2;) {
      --k;
      if (data[k] != ' ' && data[k] != '\t' && data[k] != '\r') last[n++] = data[k];
    }
    while (n > 0) track_tail(last[--n]);
  }

  // After a string ran over a line (a quote missing, or a newline pasted in), where the
  // quotes no longer tell what is text: whether the '{' or ']' at data[at], first on its
  // line, is where the next value starts, by the layout gh, jq and json.dumps print: the
  // line before is a lone '}' as far in as this value's opener, and this line a lone '{'
  // as far in (the next value), or a ']' as far in as the array's (the array's end); or,
  // one object a line, the line before opened with a '{' as far in and ended with '}' or
  // "},", and this line opens with a '{' as far in. (A line cut short, with no '}' at its
  // end, is not taken for a record's end: a snippet pasted into a string, a line of its
  // own, would then become a record.) The value ends with the line before, the blanks
  // after its '}' included, so that its size does not depend on where a read ended.
  // 1: yes, 0: no, -1: the rest of the line is not read yet. Valid JSON never gets here.
  int next_after_broken(std::size_t at) const {
    if (indent < 0 || closer_indent != indent) return 0;
    if (data[at] == ']') return in_array && line_spaces == array_indent ? 1 : 0;
    if (line_spaces != indent) return 0;
    if (closer_compact) return 1;
    std::size_t i = at + 1;
    while (i < data.size() && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r')) ++i;
    if (i == data.size()) return eof ? 1 : -1;
    return data[i] == '\n' ? 1 : 0;
  }

  static constexpr std::array<bool, 256> string_stop = [] {
    std::array<bool, 256> t{};
    t['"'] = t['\\'] = t['\n'] = true;
    return t;
  }();

  // Scans on from `scan` for the end of the value that starts at pos: where the scan
  // stopped, with `done` set when that is the value's end.
  std::size_t scan_value(bool& done) {
    std::size_t end = scan;
    layout_pending = false;
    for (; end < data.size(); ++end) {
      // Inside a string, past the line's indentation, only a quote, a backslash or a
      // newline changes anything: the bytes between are passed over in a tight loop.
      if (in_string && !escape && line_spaces < 0) {
        const std::size_t from = end;
        while (end < data.size() && !string_stop[static_cast<unsigned char>(data[end])]) ++end;
        for (std::size_t k = from; k < end && closer_state == 1; ++k) track_closer(data[k]);  // "}," passed over
        if (line_opened) track_tail(from, end);
        if (end == data.size()) break;
      }
      char ch = data[end];
      if (ch == '\n' && depth == 0 && !in_string) {
        done = true;  // a bare scalar ends with its line, which open_value then counts
        break;
      }
      if (ch == '\n') {
        broken = broken || in_string;
        closer_indent = broken && closer_state == 1 ? closer_line_indent : -1;
        closer_compact = broken && closer_indent < 0 && line_opened && line_tail > 0;
        if (closer_compact) closer_indent = indent;
        closer_end = data_offset + end;  // the line's end: the blanks after its '}' are the value's
        line_opened = false;
        line_tail = 0;
        closer_start = scan_line_start;
        closer_state = 0;
        ++scan_line;
        scan_line_start = data_offset + end + 1;
      } else {
        if (broken && closer_state != 2) track_closer(ch);
        if (ch != ' ' && ch != '\t' && ch != '\r') {
          if (line_spaces >= 0) line_opened = ch == '{' && line_spaces == indent;  // the line's first byte
          if (line_opened) track_tail(ch);
        }
      }
      if ((ch == '{' || ch == '[') && depth > 0 && !in_string && starts_next_value(end)) {
        done = cut_at_next = true;  // a bad value: it ends here, and the next one is read as such
        next_page = ch == '[';
        break;
      }
      if (broken && (ch == '{' || ch == ']') && line_spaces >= 0 && closer_indent >= 0) {
        const int next = next_after_broken(end);
        layout_pending = next < 0;
        if (next < 0) break;  // the line's end is not read yet
        if (next > 0) {
          // The value ends with its closing line's '}' (and comma), which is the line
          // before: the scan goes back to that line's end.
          done = cut_at_next = cut_at_layout = true;
          if (closer_end >= data_offset + pos) {
            end = static_cast<std::size_t>(closer_end - data_offset);
            --scan_line;
            scan_line_start = closer_start;
            line_spaces = -1;
          }
          break;
        }
      }
      count_line_spaces(ch);
      if (in_string) {
        if (escape)
          escape = false;
        else if (ch == '\\')
          escape = true;
        else if (ch == '"') {
          in_string = false;
          last_token = ch;
          if (depth == 0) {
            done = true;
            ++end;
            break;
          }
        }
        continue;
      }
      if (!is_space(ch)) last_token = ch;
      if (ch == '"') {
        in_string = true;
      } else if (ch == '{' || ch == '[') {
        ++depth;
        open_containers.push_back(ch);
      } else if (ch == '}' || ch == ']') {
        if (depth == 0) {  // an array's closing bracket ends a bare scalar
          done = true;
          break;
        }
        if (!open_containers.empty()) open_containers.pop_back();
        if (--depth == 0) {
          done = true;
          // A closer of the other kind than the value's opener ({"title": ] in an array)
          // is the array's: the value ends before it (a bad record), and the array closes
          // there, so the next array (gh --paginate's next page) is read as such.
          const bool mismatched = (ch == ']') != (opener == '[');
          if (!(mismatched && in_array)) ++end;
          break;
        }
      } else if (depth == 0 && (ch == ',' || is_space(ch) || (!in_array && ch == '\n'))) {
        done = true;  // end of a bare scalar
        break;
      }
    }
    // Stopped in the indentation of the line after one that may end this value: it may
    // yet end with that line, so its size is counted up to there until the line shows.
    if (!done && broken && closer_indent >= 0 && line_spaces >= 0 && line_spaces <= std::max(indent, array_indent))
      layout_pending = true;
    return end;
  }

  // Takes data[pos, end) as a record, or as a skipped one when over the limit, and
  // closes the value. What is not a JSON value at all becomes one bad record, `done`.
  void take_value(Chunk& c, std::size_t end, bool& done) {
    if (end == pos) {
      // A '}' where an array's element should start: that byte is one bad record, and
      // reading goes on after it at the top level (what follows is read as such there,
      // wherever a read ends).
      take_not_a_value(c, pos + 1);
      done = true;
      return;
    }
    take_span(c, end, in_array);
  }

  // Counts the lines in data[pos, to) into a line number and where that line starts.
  void pass_lines(std::size_t to, std::uint64_t& at_line, std::uint64_t& at_line_start) const {
    for (std::size_t nl = data.find('\n', pos); nl < to; nl = data.find('\n', nl + 1)) {
      ++at_line;
      at_line_start = data_offset + nl + 1;
    }
  }

  // Where the value at pos starts on its line, and whether a record started on that line
  // before it (its source then names the column).
  std::uint64_t column_here() const { return data_offset + pos - line_start + 1; }
  bool shares_line_here(bool element) const { return !element && indent < 0 && column_here() > 1; }

  // Starts skipping the value at pos (its first `so_far` bytes passed over) as it is read.
  void skip_here(std::uint64_t so_far) {
    start_skip(line, data_offset + pos, so_far, in_array);
    skip_column = column_here();
    skip_shares_line = shares_line_here(in_array);
  }

  // Takes data[pos, end), which is no JSON value, as a bad record at the top level (or
  // ends the one being skipped there).
  void take_not_a_value(Chunk& c, std::size_t end) {
    scan_line = line;
    scan_line_start = line_start;
    pass_lines(end, scan_line, scan_line_start);
    in_array = false;
    line_spaces = end > pos && data[end - 1] == '\n' ? 0 : -1;  // else a newline there sets it again
    if (!skipping) {
      take_span(c, end, false);
      return;
    }
    end_skip(c, end - pos);
    go_on_at(c, end);
  }

  // Takes data[pos, end) as a record, or as a skipped one when over the limit, and
  // closes the value; the scan's line is where the reading goes on.
  void take_span(Chunk& c, std::size_t end, bool element) {
    const std::uint64_t column = column_here();
    const bool shares_line = shares_line_here(element);
    if (end - pos > max_record) {
      start_skip(line, data_offset + pos, 0, element);
      end_skip(c, end - pos);
    } else {
      end -= take_record(c, pos, end, line, element);
    }
    c.records.back().column = column;
    c.records.back().shares_line = shares_line;
    go_on_at(c, end);
  }

  // Closes the value just taken and goes on at data[end], on the scan's line.
  void go_on_at(Chunk& c, std::size_t end) {
    scan = end;
    line = scan_line;
    line_start = scan_line_start;
    pos = end;
    close_value(c);
  }

  // Where the line after data[from] that first opens a '{' or '[', no further in than
  // `most` spaces, starts; npos when the bytes read hold none, with `resume` where a
  // search with more bytes goes on (a line whose start is not all read is looked at again).
  std::size_t next_line_opening(std::size_t from, std::int64_t most, std::size_t& resume) const {
    for (std::size_t nl = data.find('\n', from); nl != std::string::npos; nl = data.find('\n', nl + 1)) {
      const std::size_t first = data.find_first_not_of(" \t", nl + 1);
      if (first == std::string::npos) {
        resume = nl;
        return std::string::npos;
      }
      if ((data[first] == '{' || data[first] == '[') && static_cast<std::int64_t>(first - nl - 1) <= most)
        return nl + 1;
    }
    resume = data.size();
    return std::string::npos;
  }

  // After a value is taken: a broken one cut where the next starts is marked so, and
  // when that is the next page of an array, the array cut short is closed.
  void close_value(Chunk& c) {
    value_open = false;
    after_element = true;
    if (!cut_at_next) return;
    c.records.back().cut_at_next = true;
    c.records.back().cut_at_layout = cut_at_layout;
    if (next_page) in_array = false;
  }

  static void csv_field(void* s, size_t len, void* data) {
    auto* self = static_cast<Source*>(data);
    self->fields.emplace_back(s ? static_cast<const char*>(s) : "", s ? len : 0);
  }

  static void csv_row(int, void* data) {
    auto* self = static_cast<Source*>(data);
    self->rows.push_back(std::move(self->fields));
    self->fields.clear();
    self->row_raw.emplace_back(std::move(self->raw_current), self->raw_line);
    self->row_offsets.push_back(self->raw_offset);
    self->raw_current.clear();
    self->raw_line = 0;
  }

  static unsigned quotes_in(std::string_view s) { return static_cast<unsigned>(std::count(s.begin(), s.end(), '"')); }

  void reset_csv() {
    csv_free(&csv);
    csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI);
    fields.clear();
  }

  // Keeps the chunk's per-record CSV vectors as long as its records.
  void csv_sync(Chunk& c) const {
    c.columns = columns;
    c.csv_fields.resize(c.records.size());
    c.csv_bad.resize(c.records.size(), false);
  }

  // A malformed CSV row: its first line becomes a bad record (a reject, kept whole in
  // --rejects) and the lines after it are read again as rows of their own, so one
  // unbalanced quote cannot swallow the rows that follow.
  void bad_csv_row(Chunk& c) {
    std::size_t first_nl = csv_line_end(raw_current, 0, false);
    const std::size_t first_len = first_nl == std::string::npos ? raw_current.size() : first_nl + 1;
    if (!header_done) {
      header_error = "the CSV header (line " + std::to_string(raw_line) + ") is malformed: " +
                     (first_len < raw_current.size() ? "a quoted field is never closed"
                                                     : "a quote inside a field, or text after a closing quote");
      return;
    }
    take_rows(c);  // rows completed before it keep their order
    add_record(c, std::string_view(raw_current).substr(0, first_len), raw_line, false);
    c.records.back().file_offset = raw_offset;
    csv_sync(c);
    c.csv_bad.back() = true;
    // The lines after the first, to be read again, before any line not read yet.
    std::vector<std::pair<std::string, std::uint64_t>> again;
    for (std::size_t at = first_len; at < raw_current.size();) {
      std::size_t nl = csv_line_end(raw_current, at, false);
      std::size_t end = nl == std::string::npos ? raw_current.size() : nl + 1;
      again.emplace_back(raw_current.substr(at, end - at), raw_offset + at);
      at = end;
    }
    replay.insert(replay.begin(), std::make_move_iterator(again.begin()), std::make_move_iterator(again.end()));
    line = raw_line + 1;
    raw_current.clear();
    raw_line = 0;
    reset_csv();
  }

  // Starts skipping the row being read, over the limit: what it holds so far is dropped.
  // `offset`: where the line being read starts in the input (the row's start when the
  // row has no line yet).
  void start_csv_skip(std::uint64_t offset) {
    skip_quotes = quotes_in(raw_current) & 1u;
    start_skip(raw_current.empty() ? line : raw_line, raw_current.empty() ? offset : raw_offset, raw_current.size(),
               false);
    raw_current.clear();
    reset_csv();
  }

  // A line of a row being skipped; the row ends at the end of a line where no quoted
  // field is open (an even number of quotes since the row began), or at the end.
  void skip_csv_line(Chunk& c, std::string_view text, bool final) {
    skip_quotes ^= quotes_in(text) & 1u;
    skipped += text.size();
    ++line;
    if (skip_quotes == 0 || final) {
      end_skip(c, 0);
      csv_sync(c);
      reset_csv();
    }
  }

  // Where the CSV line that starts at text[from] ends (the index of its last byte): at a
  // '\n', or at a CR alone, as old Mac files end lines (and libcsv ends a row at either);
  // npos when the text holds no line end, or ends with a CR that a '\n' may follow
  // (`more`: the bytes after it are still to come).
  static std::size_t csv_line_end(std::string_view text, std::size_t from, bool more) {
    const std::size_t lf = text.find('\n', from);  // memchr twice, not a loop of them
    const std::size_t cr = text.substr(0, lf).find('\r', from);
    if (cr == std::string_view::npos) return lf;
    if (cr + 1 < text.size()) return text[cr + 1] == '\n' ? cr + 1 : cr;
    return more ? std::string_view::npos : cr;
  }

  // CSV: libcsv parses, strictly; it is fed a line at a time so that each row keeps its
  // raw text, the line it starts on and its offset in the input.
  void frame_csv(Chunk& c, bool at_eof) {
    if (!csv_ready) {
      csv_init(&csv, CSV_STRICT | CSV_STRICT_FINI);
      csv_ready = true;
    }
    while (!full(c) && header_error.empty() && !csv_done) {
      std::string held;  // a line read again, owned here while it is parsed
      std::string_view text;
      std::uint64_t offset = 0;
      if (!replay.empty()) {
        held = std::move(replay.front().first);
        offset = replay.front().second;
        replay.pop_front();
        text = held;
      } else if (pos < data.size()) {
        // The search goes on where the last one stopped (`scan`): a row over many reads
        // is not searched again from its start at each.
        std::size_t nl = csv_line_end(data, std::max(pos, scan), !at_eof);
        if (nl == std::string::npos && !at_eof) {
          // A line still coming: once over the limit, it is skipped as it comes (but for
          // a last CR, which a '\n' may follow).
          const std::size_t upto = data.back() == '\r' ? data.size() - 1 : data.size();
          scan = upto;
          const std::string_view part = std::string_view(data).substr(pos, upto - pos);
          if (!skipping && raw_current.size() + part.size() > max_record) start_csv_skip(data_offset + pos);
          if (skipping) {
            skip_quotes ^= quotes_in(part) & 1u;
            skipped += part.size();
            pos = upto;
          }
          return;
        }
        const std::size_t end = nl == std::string::npos ? data.size() : nl + 1;
        text = std::string_view(data).substr(pos, end - pos);
        offset = data_offset + pos;
        pos = end;
      } else if (!at_eof) {
        return;
      }
      const bool final = at_eof && replay.empty() && pos >= data.size();
      if (!text.empty()) {
        if (!skipping && raw_current.size() + text.size() > max_record) start_csv_skip(offset);
        if (skipping) {
          skip_csv_line(c, text, final);
          if (!final) continue;
        } else {
          if (raw_current.empty()) {
            raw_line = line;
            raw_offset = offset;
          }
          raw_current.append(text);
          ++line;
          if (csv_parse(&csv, text.data(), text.size(), csv_field, csv_row, this) != text.size()) {
            bad_csv_row(c);
            continue;
          }
          take_rows(c);
        }
      }
      if (!final) continue;
      if (skipping) {
        end_skip(c, 0);
        csv_sync(c);
      } else if (csv_fini(&csv, csv_field, csv_row, this) != 0) {
        bad_csv_row(c);
        if (!replay.empty()) continue;
      }
      take_rows(c);
      csv_done = true;
    }
  }

  void take_rows(Chunk& c) {
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (!header_done) {
        header_done = true;
        columns = std::make_shared<CsvColumns>();
        columns->count = rows[i].size();
        std::vector<std::string> names;
        for (std::size_t k = 0; k < rows[i].size(); ++k) {
          std::string h = lower(rows[i][k]);
          h.erase(0, h.find_first_not_of(" \t"));  // a BOM was dropped when the input was opened
          while (!h.empty() && is_space(h.back())) h.pop_back();
          std::size_t* slot = h == "id"                       ? &columns->id
                              : h == "number"                 ? &columns->number
                              : h == "title"                  ? &columns->title
                              : h == "body"                   ? &columns->body
                              : h == "labels"                 ? &columns->labels
                              : h == "url" || h == "html_url" ? &columns->url
                                                              : nullptr;
          if (!slot) continue;
          if (*slot != CsvColumns::none && header_error.empty())
            header_error = "the CSV header (line " + std::to_string(row_raw[i].second) + ") names column '" + h +
                           "' twice (columns " + std::to_string(*slot + 1) + " and " + std::to_string(k + 1) +
                           "); which one is meant cannot be told";
          *slot = k;
        }
        if (header_error.empty() && (columns->title == CsvColumns::none || columns->body == CsvColumns::none))
          header_error =
              "the CSV header (line " + std::to_string(row_raw[i].second) + ") must name a 'title' and a 'body' column";
        continue;
      }
      add_record(c, row_raw[i].first, row_raw[i].second, false);
      c.records.back().file_offset = row_offsets[i];
      csv_sync(c);
      c.csv_fields.back() = std::move(rows[i]);
    }
    rows.clear();
    row_raw.clear();
    row_offsets.clear();
  }

  // Fills c with records; false when this input is exhausted.
  bool fill(Chunk& c) {
    c.input = name;
    c.path = regular ? path : std::string();
    c.format = format;
    while (true) {
      switch (format) {
        case InputFormat::json:
          frame_values(c, eof);
          break;
        case InputFormat::csv:
          frame_csv(c, eof);
          break;
        default:
          frame_lines(c, eof);
          break;
      }
      if (!header_error.empty()) {
        c.input_error = header_error;
        eof = true;
        pos = data.size();
        break;
      }
      if (full(c) || eof) break;
      // A pipe: hand over what is complete now, so records stream through.
      if (!regular && !c.records.empty()) break;
      if (!read_more()) continue;  // eof now set: frame what is left
    }
    c.bytes = bytes_unaccounted;
    bytes_unaccounted = 0;
    if (format == InputFormat::csv) return !csv_done && header_error.empty();
    return !(eof && pos >= data.size());
  }
};

InputReader::InputReader(std::vector<std::string> inputs, InputFormat format, std::uint64_t max_record)
    : format_(format), max_record_(max_record) {
  bool all_regular = true;
  pending_ = input_files(inputs);  // a directory holding no *.json is reported when opened
  for (const auto& p : pending_) {
    struct stat st {};
    if (p == "-" || ::stat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      all_regular = false;
      continue;
    }
    total_bytes_ += static_cast<std::uint64_t>(st.st_size);
  }
  if (!all_regular) total_bytes_ = 0;
  std::reverse(pending_.begin(), pending_.end());  // pop from the back
}

InputReader::~InputReader() = default;

namespace {

bool has_extension(const std::string& path, std::initializer_list<const char*> exts) {
  std::string ext = lower(std::filesystem::path(path).extension().string());
  for (const char* e : exts)
    if (ext == e) return true;
  return false;
}

}  // namespace

bool InputReader::open_next(Chunk& chunk) {
  const std::string path = pending_.back();
  pending_.pop_back();
  auto s = std::make_unique<Source>();
  s->name = path == "-" ? "<stdin>" : path;
  s->path = path;
  chunk.input = s->name;
  if (path == "-") {
    s->fd = STDIN_FILENO;
  } else {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      // Only *.json files stand for a directory (an output written beside them is not
      // read back): the files of other dataset kinds it holds are named, to be given.
      std::map<std::string, std::size_t> others;
      for (const auto& e : std::filesystem::directory_iterator(path, ec))
        if (const auto ext = e.path().extension().string();
            !e.is_directory() && (ext == ".jsonl" || ext == ".ndjson" || ext == ".csv"))
          ++others[ext];
      chunk.input_error = "the directory holds no *.json file";
      if (!others.empty()) {
        const auto most = std::max_element(others.begin(), others.end(),
                                           [](const auto& a, const auto& b) { return a.second < b.second; });
        std::string held, glob = path + (path.back() == '/' ? "" : "/") + "*" + most->first;
        for (const auto& [ext, n] : others) held += (held.empty() ? "" : ", ") + std::to_string(n) + " *" + ext;
        chunk.input_error += " (it holds " + held + ": name them, as " + glob + ")";
      }
      return false;
    }
    s->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (s->fd < 0) {
      chunk.input_error = std::string("cannot open: ") + std::strerror(errno);
      return false;
    }
    s->own_fd = true;
  }
  struct stat st {};
  s->regular = ::fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode);
  if (s->regular) s->file_size = static_cast<std::uint64_t>(st.st_size);
  // A UTF-8 byte order mark (some Windows editors write one) is not part of the first
  // record; offsets still count it, so a reject copied from the file is the record's bytes.
  while (s->data.size() < 3 && s->read_more()) {
  }
  s->data_offset = s->data.size() - without_bom(s->data).size();
  s->line_start = s->scan_line_start = s->data_offset;  // columns count from after the mark
  s->data.erase(0, s->data_offset);

  // Blanks before anything else are passed over as they are read, never held (their lines
  // counted). An input of nothing but blanks (an empty file, a pipe whose writer printed
  // nothing) holds no dataset, not an empty one ("[]", a CSV header alone): an input
  // error, as classify makes it.
  // Whole blank lines only, up to the last newline before the first other byte: the
  // blanks that start the first record's line stay with it, however the reads fall (but
  // for a blank line over 4 MB, which is not held).
  while (true) {
    const std::size_t first = s->data.find_first_not_of(" \t\r\n");
    const std::size_t nl = s->data.rfind('\n', first);  // npos: the whole of it
    const std::size_t drop = nl != std::string::npos                                        ? nl + 1
                             : first == std::string::npos && s->data.size() > detect_window ? s->data.size()
                                                                                            : 0;
    for (std::size_t i = 0; i < drop; ++i)
      if (s->data[i] == '\n') {
        ++s->line;
        s->line_start = s->data_offset + i + 1;
      }
    s->data_offset += drop;
    s->data.erase(0, drop);
    if (first != std::string::npos || !s->read_more()) break;
  }
  s->scan_line = s->line;
  s->scan_line_start = s->line_start;
  if (blank(s->data)) {
    chunk.input_error = "the input is empty (no records)";
    return false;
  }
  InputFormat f = format_;
  if (f == InputFormat::detect) {
    if (path != "-" && has_extension(path, {".csv"}))
      f = InputFormat::csv;
    else if (path != "-" && has_extension(path, {".jsonl", ".ndjson"}))
      f = InputFormat::jsonl;
    else {
      // By content: the first non-blank byte (there is one: blanks were passed over), and
      // whether the first line is a lone '{'.
      const std::size_t first = s->data.find_first_not_of(" \t\r\n");
      while (s->data.find('\n', first) == std::string::npos && s->data.size() < detect_window && s->read_more()) {
      }
      if (s->data[first] == '[') {
        f = InputFormat::json;
      } else if (s->data[first] == '{') {
        std::size_t nl = s->data.find('\n', first);
        std::string_view rest(s->data.data() + first + 1, (nl == std::string::npos ? s->data.size() : nl) - first - 1);
        f = blank(rest) ? InputFormat::json : InputFormat::jsonl;
      } else if (auto what = not_utf8_input(s->data, "silt batch")) {
        chunk.input_error = *what;
        return false;
      } else {
        chunk.input_error =
            "cannot tell the format: it starts with neither '{' nor '[' (JSON Lines, a JSON array); a CSV file is "
            "named *.csv or given --input-format csv; a Markdown or text issue is read by silt classify or explain, "
            "not as a dataset";
        return false;
      }
    }
  }
  s->format = f;
  s->max_record = max_record_;
  current_ = std::move(s);
  return true;
}

bool InputReader::next(Chunk& chunk) {
  chunk.seq = seq_++;
  while (true) {
    if (!current_) {
      if (pending_.empty()) return false;
      if (!open_next(chunk)) return true;  // a chunk that carries the input error
    }
    bool more = current_->fill(chunk);
    if (!chunk.input_error.empty()) {
      current_.reset();
      return true;
    }
    if (!more) current_.reset();
    if (!chunk.records.empty() || chunk.bytes > 0) break;
  }
  chunk.buf.push_back('\0');  // the byte after the last record, which an in-place parse holds a NUL in
  return true;
}

}  // namespace silt::detail
