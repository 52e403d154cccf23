// bench/run.sh's "rules doubled" mode: writes a rules file with every rule of IN twice,
// the copy under the id ID-again (and its fitted weight too), so that a run shows how
// silt's cost grows with the number of rules. Includes are kept as they are: double
// every file of a pack into one directory.
//
//   silt-double-rules IN.yaml OUT.yaml
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: silt-double-rules IN.yaml OUT.yaml\n";
    return 2;
  }
  try {
    YAML::Node doc = YAML::LoadFile(argv[1]);
    if (YAML::Node rules = doc["rules"]; rules && rules.IsSequence()) {
      const std::size_t n = rules.size();
      for (std::size_t i = 0; i < n; ++i) {
        YAML::Node copy = YAML::Clone(rules[i]);
        copy["id"] = copy["id"].as<std::string>() + "-again";
        rules.push_back(copy);
      }
    }
    if (YAML::Node weights = doc["weights"]; weights && weights.IsMap()) {
      YAML::Node doubled = YAML::Clone(weights);
      for (const auto& kv : weights) doubled[kv.first.as<std::string>() + "-again"] = YAML::Clone(kv.second);
      doc["weights"] = doubled;
    }
    std::ofstream out(argv[2]);
    out << doc << "\n";
    if (!out) {
      std::cerr << argv[2] << ": cannot write\n";
      return 1;
    }
  } catch (const YAML::Exception& e) {
    std::cerr << argv[1] << ": " << e.what() << "\n";
    return 1;
  }
  return 0;
}
