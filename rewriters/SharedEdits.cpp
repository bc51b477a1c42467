#include "rewriters/SharedEdits.h"

#include <algorithm>

namespace godwit {
namespace {

std::string lastSegment(std::string_view name) {
  const size_t dot = name.rfind('.');
  return std::string(dot == std::string_view::npos ? name : name.substr(dot + 1));
}

/// The file of the finding an edit was made for (its origin is `file:line:col`).
std::string_view findingFile(const Edit& edit) {
  std::string_view origin = edit.origin;
  for (int colons = 0; colons < 2 && !origin.empty(); ++colons)
    origin = origin.substr(0, std::min(origin.size(), origin.rfind(':')));
  return origin;
}

} // namespace

void SharedEdits::demand(uint64_t finding, const Edit& edit) {
  demands_[{edit.file, edit.offset, edit.length}].push_back(Demand{finding, edit});
}

bool SharedEdits::needsRepository() const {
  for (const auto& [where, demands] : demands_)
    for (const Demand& d : demands)
      if (d.edit.constant->shared || d.edit.constant->useFile != d.edit.file)
        return true;
  return false;
}

std::map<uint64_t, std::string> SharedEdits::refused(const OtherUses& others) const {
  std::map<uint64_t, std::string> out;
  for (const auto& [where, demands] : demands_) {
    const ConstantUse& first = *demands.front().edit.constant;
    const std::string& literalFile = std::get<0>(where);
    std::string why;
    // Each file that refers to the constant: every one of its references asks.
    std::map<std::string, std::set<uint32_t>> sites;
    std::map<std::string, int> uses;
    bool shared = false;
    for (const Demand& d : demands) {
      const ConstantUse& c = *d.edit.constant;
      if (d.edit.replacement != demands.front().edit.replacement)
        why = "the change lands in constant " + c.constant +
              ", whose uses need different changes; change it by hand";
      sites[c.useFile].insert(c.useAt);
      uses[c.useFile] = std::max(uses[c.useFile], c.uses);
      shared = shared || c.shared || c.useFile != literalFile;
    }
    std::string short_; // the file whose references do not all ask
    for (const auto& [file, at] : sites) {
      if (why.empty() && short_.empty() && static_cast<int>(at.size()) != uses[file])
        short_ = file;
    }
    if (!short_.empty()) {
      for (const Demand& d : demands) {
        const bool here = short_ == findingFile(d.edit);
        out.emplace(d.finding, "the change lands in constant " + first.constant +
                                   ", which is used " + std::to_string(uses[short_]) +
                                   " times in " + (here ? std::string("this file") : short_) +
                                   (here ? "" : ", not each time for this dataset") +
                                   "; change it by hand");
      }
      continue;
    }
    if (why.empty() && shared && !others) {
      why = "the change lands in constant " + first.constant +
            ", which other files may use; change it by hand";
    } else if (why.empty() && shared) {
      std::set<std::string> asking;
      for (const auto& [file, at] : sites)
        asking.insert(file);
      const std::vector<std::string> elsewhere =
          others(lastSegment(first.constant), literalFile, asking);
      if (!elsewhere.empty())
        why = "the change lands in constant " + first.constant + ", which is also used in " +
              elsewhere.front() + (elsewhere.size() > 1 ? " and elsewhere" : "") +
              "; change it by hand";
    }
    if (!why.empty())
      for (const Demand& d : demands)
        out.emplace(d.finding, why);
  }
  return out;
}

} // namespace godwit
