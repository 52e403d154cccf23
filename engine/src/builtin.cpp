#include "silt/builtin.h"

#include <cstddef>

extern const char silt_builtin_taxonomy[];
extern const std::size_t silt_builtin_taxonomy_size;
extern const char silt_builtin_rules[];
extern const std::size_t silt_builtin_rules_size;
extern const char silt_builtin_consensus[];
extern const std::size_t silt_builtin_consensus_size;

namespace silt {

BuiltinFile builtin_taxonomy() {
  return {"taxonomy/keras-tf.yaml", {silt_builtin_taxonomy, silt_builtin_taxonomy_size}};
}

BuiltinFile builtin_rules() {
  return {"rules/keras-tf.yaml", {silt_builtin_rules, silt_builtin_rules_size}};
}

BuiltinFile builtin_consensus() {
  return {"taxonomy/keras-tf-consensus.yaml", {silt_builtin_consensus, silt_builtin_consensus_size}};
}

std::string_view version() {
  return SILT_VERSION;
}

}  // namespace silt
