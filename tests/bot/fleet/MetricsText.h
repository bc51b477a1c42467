#pragma once
// The tests' reader of the Prometheus text exposition format (version 0.0.4), as a scraper reads
// a textfile: HELP and TYPE lines, samples with labels. It says what a file gets wrong.
#include "rules/Expected.h"

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace godwit::fleettest {

class MetricsText {
public:
  struct Sample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
  };

  /// Parses `text`; an Error names the first line that is neither a comment nor a sample.
  static Expected<MetricsText> parse(const std::string& text) {
    MetricsText out;
    std::istringstream in(text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
      ++number;
      const auto bad = [&](const std::string& why) {
        return Error{why + ": " + line, "metrics", number, 0, ""};
      };
      if (line.empty())
        continue;
      if (line[0] == '#') {
        std::istringstream words(line.substr(1));
        std::string keyword, name, rest;
        words >> keyword >> name;
        std::getline(words >> std::ws, rest);
        if (keyword == "HELP") {
          if (out.help_.count(name))
            out.problems_.push_back("HELP twice for " + name);
          out.help_[name] = rest;
        } else if (keyword == "TYPE") {
          if (out.type_.count(name))
            out.problems_.push_back("TYPE twice for " + name);
          out.type_[name] = rest;
        }
        continue;
      }
      Sample s;
      size_t i = 0;
      while (i < line.size() && line[i] != '{' && line[i] != ' ')
        ++i;
      s.name = line.substr(0, i);
      if (i < line.size() && line[i] == '{') {
        ++i;
        while (i < line.size() && line[i] != '}') {
          const size_t eq = line.find('=', i);
          if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"')
            return bad("a label without =\"");
          const std::string key = line.substr(i, eq - i);
          std::string value;
          size_t j = eq + 2;
          for (; j < line.size() && line[j] != '"'; ++j) {
            if (line[j] == '\\' && j + 1 < line.size()) {
              ++j;
              value += line[j] == 'n' ? '\n' : line[j];
            } else {
              value += line[j];
            }
          }
          if (j >= line.size())
            return bad("an unterminated label value");
          s.labels[key] = value;
          i = j + 1;
          if (i < line.size() && line[i] == ',')
            ++i;
        }
        if (i >= line.size())
          return bad("unterminated labels");
        ++i;
      }
      if (i >= line.size() || line[i] != ' ')
        return bad("no value");
      const std::string value = line.substr(i + 1);
      char* end = nullptr;
      s.value = std::strtod(value.c_str(), &end);
      if (end == value.c_str())
        return bad("a value that is not a number");
      out.samples_.push_back(std::move(s));
    }
    out.check();
    return out;
  }

  /// The value of the one sample `name` whose labels include `labels`; NaN when none or many.
  double value(const std::string& name, const std::map<std::string, std::string>& labels) const {
    const Sample* found = nullptr;
    for (const Sample& s : samples_) {
      if (s.name != name)
        continue;
      bool all = true;
      for (const auto& [k, v] : labels) {
        auto it = s.labels.find(k);
        all = all && it != s.labels.end() && it->second == v;
      }
      if (!all)
        continue;
      if (found)
        return std::nan("");
      found = &s;
    }
    return found ? found->value : std::nan("");
  }
  /// Samples named `name`.
  size_t count(const std::string& name) const {
    size_t n = 0;
    for (const Sample& s : samples_)
      n += s.name == name ? 1 : 0;
    return n;
  }
  /// Sum of the samples named `name`.
  double sum(const std::string& name) const {
    double total = 0;
    for (const Sample& s : samples_)
      total += s.name == name ? s.value : 0;
    return total;
  }
  /// The TYPE of metric `name`; empty when it has none.
  std::string type(const std::string& name) const {
    auto it = type_.find(name);
    return it == type_.end() ? std::string() : it->second;
  }
  const std::vector<Sample>& samples() const { return samples_; }
  /// What the file gets wrong for this project: a sample without HELP or TYPE, a name without
  /// the godwit_ prefix, a series without the campaign label.
  const std::vector<std::string>& problems() const { return problems_; }

private:
  void check() {
    for (const Sample& s : samples_) {
      std::string family = s.name;
      for (const char* suffix : {"_bucket", "_sum", "_count"})
        if (family.ends_with(suffix)) {
          const std::string base = family.substr(0, family.size() - std::string(suffix).size());
          if (type(base) == "histogram")
            family = base;
        }
      if (!help_.count(family) || help_.at(family).empty())
        problems_.push_back(s.name + " has no HELP");
      if (type(family).empty())
        problems_.push_back(s.name + " has no TYPE");
      if (!family.starts_with("godwit_"))
        problems_.push_back(s.name + " lacks the godwit_ prefix");
      if (!s.labels.count("campaign") || s.labels.at("campaign").empty())
        problems_.push_back(s.name + " has no campaign label");
    }
  }

  std::map<std::string, std::string> help_;
  std::map<std::string, std::string> type_;
  std::vector<Sample> samples_;
  std::vector<std::string> problems_;
};

} // namespace godwit::fleettest
