// silt-gen-corpus: writes a synthetic corpus of issue-like records for benchmarks and
// tests. Each record is shaped like a GitHub REST API issue object (user, labels, URLs,
// reactions...) whose body follows TensorFlow's bug template: system information, a few
// sentences about one bug, a code block, and pasted console output. Body sizes are
// log-normal around 2 KB with a long tail up to 1 MB (long bodies are long because of
// logs). Deterministic for a given seed. The text is written here, in our own words.
//
//   silt-gen-corpus [--bytes 100M] [--format jsonl|json|csv] [--seed N] [--huge 50M]
//                   [--mix]
//
// --huge N makes the first record's body N bytes long. --mix is the adversarial shape:
// sentences of every category throughout every body, so that nearly every rule fires.
#include <csv.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <vector>

namespace {

struct Topic {
  std::vector<std::string> titles;
  std::vector<std::string> sentences;
};

const std::vector<Topic> topics = {
    {{"Unexpected output shape on a custom layer", "Reshape loses the batch dimension"},
     {"The output shape of the layer is (None, None) instead of (None, 16).",
      "model.summary() lists a nested shape for the last layer.", "The static shape becomes unknown after the slice."}},
    {{"evaluate() progress bar is way too long", "Spurious warnings flood the log"},
     {"The progress bar printed by evaluate is far too long.", "It floods the notebook with '=' characters.",
      "A deprecation warning is printed on every call."}},
    {{"Optimizer ignores the learning rate I set", "training flag is not passed to the inner layer"},
     {"Setting the learning rate has no effect on the updates.", "The training argument is not passed to the cells.",
      "The option is silently ignored by the layer."}},
    {{"Accuracy is lost after save and load_model", "Reloaded model gives different predictions"},
     {"After loading the saved model the accuracy drops to 0.5.",
      "The reloaded weights are not the same as the trained ones.",
      "Once the model is saved and loaded again the predictions differ."}},
    {{"Memory leak when calling fit in a loop", "predict is 10x slower than in the previous release"},
     {"RAM keeps growing with every call to fit.", "Each epoch is 3 times slower than the one before.",
      "There is a memory leak in predict when it is called in a loop."}},
    {{"TimeDistributed duplicates the inner Dense layer", "Nested model shows extra layers"},
     {"Wrapping the model creates duplicate layers in the model graph.",
      "The inner weights are not tracked by the outer model.", "model.layers lists the Dense layer twice."}},
    {{"Loss metric ignores the smaller last batch", "Gradient of the custom op is wrong"},
     {"The reported loss is 9.5 while the mean over the samples is 9.67.",
      "The gradients of the first layer are zero for every batch.",
      "evaluate averages the batch losses without weighting them."}},
};

const std::vector<std::string> neutral = {
    "I am not sure whether this is expected, so I am filing it here.",
    "The same code worked with the previous release of the library.",
    "Here is a minimal example that shows the behaviour on the CPU.",
    "No error or warning is raised, which makes it hard to notice.",
    "I tried with and without eager execution and saw the same thing.",
    "Thanks for looking into this.",
};

const std::vector<std::string> code_lines = {
    "import numpy as np",
    "import tensorflow as tf",
    "x = np.random.rand(64, 8).astype('float32')",
    "y = np.random.randint(0, 2, size=(64, 1))",
    "inputs = tf.keras.Input(shape=(8,))",
    "h = tf.keras.layers.Dense(16, activation='relu')(inputs)",
    "outputs = tf.keras.layers.Dense(1)(h)",
    "model = tf.keras.Model(inputs, outputs)",
    "model.compile(optimizer='adam', loss='mse', metrics=['mae'])",
    "history = model.fit(x, y, epochs=3, batch_size=8)",
    "print(model.evaluate(x, y))",
    "model.summary()",
};

std::string log_line(std::mt19937_64& rng, std::uint64_t i) {
  char buf[160];
  std::uniform_real_distribution<double> loss(0.1, 0.9);
  std::snprintf(buf, sizeof buf, "%llu/%llu [==============================] - 0s 2ms/step - loss: %.4f - mae: %.4f\n",
                static_cast<unsigned long long>(i % 500 + 1), 500ULL, loss(rng), loss(rng));
  return buf;
}

template <class T>
const T& pick(std::mt19937_64& rng, const std::vector<T>& v) {
  return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
}

std::string body(std::mt19937_64& rng, const Topic& t, std::size_t target, bool mix) {
  std::string b =
      "<em>Please make sure that this is a bug.</em>\r\n\r\n**System information**\r\n"
      "- Have I written custom code: yes\r\n- OS Platform and Distribution: Linux Ubuntu 20.04\r\n"
      "- TensorFlow installed from (source or binary): binary\r\n- TensorFlow version: 2.4.1\r\n"
      "- Python version: 3.8.5\r\n- CUDA/cuDNN version: none\r\n- GPU model and memory: none\r\n\r\n"
      "**Describe the current behavior**\r\n";
  b += pick(rng, t.sentences) + " " + pick(rng, t.sentences) + " " + pick(rng, neutral) + "\r\n\r\n";
  b += "**Describe the expected behavior**\r\n" + pick(rng, neutral) + "\r\n\r\n";
  b += "**Standalone code to reproduce the issue**\r\n```python\r\n";
  for (int i = 0; i < 6 + static_cast<int>(rng() % 10); ++i) b += pick(rng, code_lines) + "\r\n";
  b += "```\r\n\r\n**Other info / logs**\r\n```\r\n";
  std::uint64_t i = 0;
  while (b.size() + 5 < target) {
    if (mix && rng() % 4 == 0)
      b += pick(rng, pick(rng, topics).sentences) + "\n";
    else
      b += log_line(rng, i++);
  }
  return b + "```\r\n";
}

// Body sizes: log-normal with a median near 2 KB, capped at 1 MB.
std::size_t body_size(std::mt19937_64& rng) {
  std::lognormal_distribution<double> d(7.6, 1.1);
  return std::min<std::size_t>(static_cast<std::size_t>(d(rng)), 1000000);
}

std::uint64_t parse_size(const std::string& s) {
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  switch (end && *end ? *end : ' ') {
    case 'K':
    case 'k':
      v *= 1e3;
      break;
    case 'M':
    case 'm':
      v *= 1e6;
      break;
    case 'G':
    case 'g':
      v *= 1e9;
      break;
    default:
      break;
  }
  return static_cast<std::uint64_t>(v);
}

nlohmann::ordered_json user(std::uint64_t id) {
  std::string login = "user" + std::to_string(id);
  std::string api = "https://api.github.com/users/" + login;
  return {{"login", login},
          {"id", id},
          {"node_id", "MDQ6VXNlcj" + std::to_string(id)},
          {"avatar_url", "https://avatars.githubusercontent.com/u/" + std::to_string(id) + "?v=4"},
          {"url", api},
          {"html_url", "https://github.com/" + login},
          {"followers_url", api + "/followers"},
          {"repos_url", api + "/repos"},
          {"type", "User"},
          {"site_admin", false}};
}

std::string csv_field(const std::string& s) {
  std::string out(s.size() * 2 + 2, '\0');
  out.resize(csv_write(out.data(), out.size(), s.data(), s.size()));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t bytes = 10'000'000, huge = 0, seed = 1;
  std::string format = "jsonl";
  bool mix = false;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--mix") {
      mix = true;
      continue;
    }
    if (i + 1 >= argc) k = "?";
    std::string v = k == "?" ? "" : argv[++i];
    if (k == "--bytes")
      bytes = parse_size(v);
    else if (k == "--format")
      format = v;
    else if (k == "--seed")
      seed = std::strtoull(v.c_str(), nullptr, 10);
    else if (k == "--huge")
      huge = parse_size(v);
    else {
      std::cerr << "usage: silt-gen-corpus [--bytes N] [--format jsonl|json|csv] [--seed N] [--huge N] [--mix]\n";
      return 2;
    }
  }
  std::mt19937_64 rng(seed);
  std::ios::sync_with_stdio(false);
  const std::string repo = "https://api.github.com/repos/example-org/dl-lib";
  std::uint64_t written = 0, n = 0;
  if (format == "json") std::cout << "[\n";
  if (format == "csv") std::cout << "id,title,body,labels\n";
  while (written < bytes || (huge && n == 0)) {
    const Topic& t = pick(rng, topics);
    const std::uint64_t num = 10000 + n;
    const std::string title = pick(rng, t.titles);
    const std::string b = body(rng, t, (huge && n == 0) ? huge : body_size(rng), mix);
    std::string line;
    if (format == "csv") {
      line = "example-org/dl-lib#" + std::to_string(num) + "," + csv_field(title) + "," + csv_field(b) + ",type:bug\n";
    } else {
      const std::string url = repo + "/issues/" + std::to_string(num);
      nlohmann::ordered_json j = {
          {"url", url},
          {"repository_url", repo},
          {"labels_url", url + "/labels{/name}"},
          {"comments_url", url + "/comments"},
          {"events_url", url + "/events"},
          {"html_url", "https://github.com/example-org/dl-lib/issues/" + std::to_string(num)},
          {"id", 500000000 + n},
          {"node_id", "MDU6SXNzdWU" + std::to_string(num)},
          {"number", num},
          {"title", title},
          {"user", user(1000 + rng() % 5000)},
          {"labels",
           nlohmann::json::array({{{"id", 1}, {"name", "type:bug"}, {"color", "159b2e"}, {"default", false}},
                                  {{"id", 2}, {"name", "comp:keras"}, {"color", "0052cc"}, {"default", false}}})},
          {"state", "closed"},
          {"locked", false},
          {"assignee", nullptr},
          {"assignees", nlohmann::json::array()},
          {"milestone", nullptr},
          {"comments", rng() % 12},
          {"created_at", "2020-04-16T10:00:00Z"},
          {"updated_at", "2020-05-01T12:30:00Z"},
          {"closed_at", "2020-05-01T12:30:00Z"},
          {"author_association", "NONE"},
          {"body", b},
          {"reactions", {{"url", url + "/reactions"}, {"total_count", 0}, {"+1", 0}, {"-1", 0}}},
          {"timeline_url", url + "/timeline"},
          {"state_reason", "completed"}};
      line = (format == "json" && n > 0 ? ",\n" : "") + j.dump() + (format == "jsonl" ? "\n" : "");
    }
    std::cout << line;
    written += line.size();
    ++n;
  }
  if (format == "json") std::cout << "\n]\n";
  std::cerr << n << " records, " << written << " bytes\n";
  return 0;
}
