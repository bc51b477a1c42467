// Parsing and validation of migration files. Checks run in a fixed order and the first problem
// is returned, pointing at the YAML node that causes it.

#include "rules/Migration.h"
#include "rules/MigrationName.h"

#include "rules/DatasetMatcher.h"
#include "rules/Glob.h"
#include "rules/Text.h"
#include "rules/YamlCheck.h"
#include "rules/YamlFile.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

namespace godwit {
namespace {

constexpr std::array<std::pair<DatasetKind, std::string_view>, 6> kKindNames{{
    {DatasetKind::BigQueryTable, "bigquery-table"},
    {DatasetKind::BigQueryDataset, "bigquery-dataset"},
    {DatasetKind::GcsPrefix, "gcs-prefix"},
    {DatasetKind::HiveTable, "hive-table"},
    {DatasetKind::KafkaTopic, "kafka-topic"},
    {DatasetKind::Literal, "literal"},
}};

constexpr size_t kMaxNameLength = 100;
constexpr size_t kMaxLabelLength = 50; // GitHub's limit
const YamlFileKind kMigrationText{"migration file", "migration"};

using Entry = YamlEntry;

/// Parses one migration file; every error names `path_` and the position of the node at fault.
class MigrationParser : private YamlFile {
public:
  explicit MigrationParser(const std::string& path) : YamlFile(path, kMigrationText) {}

  Expected<Migration> parse(std::string_view yaml);

private:
  struct Located {
    DatasetSpec spec;
    SourcePos from;
    SourcePos to;
  };

  using YamlFile::at;
  Error at(SourcePos pos, std::string message, std::string hint = {}) const {
    return at(pos.line, pos.column, std::move(message), std::move(hint));
  }
  static SourcePos posOf(const YAML::Node& node) {
    YAML::Mark mark = node.Mark();
    return mark.is_null() ? SourcePos{} : SourcePos{mark.line + 1, mark.column + 1};
  }
  Expected<PullRequestSettings> parsePullRequest(const Entry& e) const;
  Expected<RolloutSettings> parseRollout(const Entry& e) const;
  Expected<RolloutWindow> parseWindow(const YAML::Node& node) const;
  Expected<BackstageSettings> parseBackstage(const Entry& e) const;
  Expected<void> parseDataset(const YAML::Node& node, std::vector<Located>& out) const;
  Expected<void> parseColumns(const Entry& e, DatasetKind kind, ColumnChanges& out) const;
  Expected<void> checkColumnName(const YAML::Node& node) const;
  Expected<void> crossCheck(const std::vector<Located>& datasets) const;
};

const std::vector<std::string_view> kTopKeys{"apiVersion",  "kind",        "name",
                                             "description", "datasets",    "exclude",
                                             "docs",        "pullRequest", "rollout",
                                             "backstage"};
const std::vector<std::string_view> kPullRequestKeys{"title", "body", "labels", "draft",
                                                     "reviewers"};
const std::vector<std::string_view> kRolloutKeys{"waves",      "seed",       "gate",
                                                 "prsPerHour", "maxOpenPRs", "maxOpenPRsPerOwner",
                                                 "windows",    "deadline",   "notify"};
const std::vector<std::string_view> kBackstageKeys{"entity", "filter"};
const std::vector<std::string_view> kGateKeys{"timeout", "maxFailureRatio", "minMergedRatio"};
const std::vector<std::string_view> kWindowKeys{"days", "start", "end", "rate"};
const std::vector<std::string_view> kDatasetKeys{"kind", "from", "to", "columns"};
const std::vector<std::string_view> kColumnKeys{"rename", "removed"};

Expected<Migration> MigrationParser::parse(std::string_view yaml) {
  const std::string example = "start with `apiVersion: godwit/v1`, `kind: Migration`, `name:` "
                              "and `datasets:` (see docs/migration-format.md)";
  auto parsed = YamlFile::parse(yaml, example);
  if (!parsed)
    return parsed.error();
  const YAML::Node& root = *parsed;
  if (auto header = checkHeader(root, "Migration"); !header)
    return header.error();

  auto checked = entries(root, kTopKeys, "at the top level");
  if (!checked)
    return checked.error();

  Migration migration;
  migration.path = path();
  migration.apiVersion = "godwit/v1";
  std::vector<Located> datasets;
  for (const Entry& e : *checked) {
    if (e.key == "name") {
      auto name = scalar(e);
      if (!name)
        return name.error();
      const std::string& n = *name;
      const bool ok = isMigrationNameSpelling(n);
      if (ok && n.size() > kMaxNameLength)
        return at(e.value,
                  "the name is " + std::to_string(n.size()) + " characters long, over the " +
                      std::to_string(kMaxNameLength) + " a branch name may take",
                  "give the migration a short name, e.g. `user-profile-v2` (it names the "
                  "branches godwit creates)");
      if (!ok)
        return at(e.value, "invalid name " + tick(n),
                  "use lowercase letters, digits, `.`, `_` and `-`, starting with a letter or "
                  "digit, e.g. `user-profile-v2` (it names the branches godwit creates)");
      migration.name = n;
    } else if (e.key == "description") {
      auto description = scalar(e, true);
      if (!description)
        return description.error();
      migration.description = *description;
    } else if (e.key == "datasets") {
      if (e.value.IsNull() || (e.value.IsSequence() && e.value.size() == 0))
        return at(valueAnchor(e), "`datasets` is empty",
                  "list at least one dataset: `- kind: bigquery-table` with `from:` and `to:`");
      if (!e.value.IsSequence())
        return at(e.value, "`datasets` must be a list",
                  "write each dataset as a list item starting with `- kind: ...`");
      for (const YAML::Node& item : e.value)
        if (auto r = parseDataset(item, datasets); !r)
          return r.error();
    } else if (e.key == "exclude") {
      auto globs = stringList(e, "glob", "e.g. `exclude: [\"**/generated/**\"]`");
      if (!globs)
        return globs.error();
      for (size_t i = 0; i < globs->size(); ++i)
        if (auto glob = Glob::compile((*globs)[i]); !glob)
          return at(e.value[i],
                    glob.error().message + " (at character " + std::to_string(glob.error().column) +
                        ")",
                    glob.error().hint);
      migration.exclude = std::move(*globs);
    } else if (e.key == "docs") {
      auto docs = scalar(e);
      if (!docs)
        return docs.error();
      migration.docs = *docs;
    } else if (e.key == "pullRequest") {
      auto pr = parsePullRequest(e);
      if (!pr)
        return pr.error();
      migration.pullRequest = std::move(*pr);
    } else if (e.key == "rollout") {
      auto rollout = parseRollout(e);
      if (!rollout)
        return rollout.error();
      migration.rollout = std::move(*rollout);
    } else if (e.key == "backstage") {
      auto backstage = parseBackstage(e);
      if (!backstage)
        return backstage.error();
      migration.backstage = std::move(*backstage);
    }
  }
  if (!findYamlEntry(*checked, "name"))
    return at(root, "missing `name`",
              "add `name: <migration-name>`, e.g. `name: user-profile-v2` (it names branches)");
  if (!findYamlEntry(*checked, "datasets"))
    return at(root, "missing `datasets`",
              "add `datasets:` with at least one `- kind: ...` entry with `from:` and `to:`");
  if (auto r = crossCheck(datasets); !r)
    return r.error();
  for (Located& d : datasets)
    migration.datasets.push_back(std::move(d.spec));
  return migration;
}

Expected<PullRequestSettings> MigrationParser::parsePullRequest(const Entry& e) const {
  if (!e.value.IsMap())
    return at(valueAnchor(e), "`pullRequest` must be a mapping",
              "indent `title:`, `body:`, `labels:`, `draft:` or `reviewers:` under it");
  auto keys = entries(e.value, kPullRequestKeys, "in `pullRequest`");
  if (!keys)
    return keys.error();
  PullRequestSettings pr;
  for (const Entry& k : *keys) {
    if (k.key == "title" || k.key == "body") {
      auto text = scalar(k, k.key == "body");
      if (!text)
        return text.error();
      (k.key == "title" ? pr.title : pr.body) = *text;
    } else if (k.key == "draft") {
      auto draft = boolean(k);
      if (!draft)
        return draft.error();
      pr.draft = *draft;
    } else {
      const bool labels = k.key == "labels";
      auto list = stringList(k, labels ? "label name" : "login or org/team",
                             labels ? "e.g. `labels: [godwit, dataset-migration]`"
                                    : "e.g. `reviewers: [octocat, acme/data-platform]`");
      if (!list)
        return list.error();
      for (size_t i = 0; i < list->size(); ++i) {
        const std::string& item = (*list)[i];
        if (labels && item.size() > kMaxLabelLength)
          return at(k.value[i],
                    "the label is " + std::to_string(item.size()) + " bytes long, over GitHub's " +
                        std::to_string(kMaxLabelLength),
                    "use a shorter label");
        if (!labels && !isValidReviewer(item))
          return at(k.value[i], "invalid reviewer " + tick(item),
                    "a GitHub login (letters, digits and `-`) or `org/team`");
      }
      if (labels)
        pr.labels = std::move(*list);
      else
        pr.reviewers = std::move(*list);
    }
  }
  return pr;
}

namespace {

/// `24h`, `90m`, `30s`, `2d` as seconds; nullopt when malformed or zero.
std::optional<int64_t> parseDuration(const std::string& text) {
  if (text.size() < 2)
    return std::nullopt;
  int64_t n = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9' || n > (int64_t(1) << 32))
      return std::nullopt;
    n = n * 10 + (text[i] - '0');
  }
  const char unit = text.back();
  const int64_t scale = unit == 's'   ? 1
                        : unit == 'm' ? 60
                        : unit == 'h' ? 3600
                        : unit == 'd' ? 86400
                                      : 0;
  if (scale == 0 || n == 0)
    return std::nullopt;
  return n * scale;
}

/// `HH:MM` (24-hour) as minutes after midnight; `24:00` is allowed as an end.
std::optional<int> parseClock(const std::string& text) {
  if (text.size() != 5 || text[2] != ':')
    return std::nullopt;
  for (size_t i : {0, 1, 3, 4})
    if (text[i] < '0' || text[i] > '9')
      return std::nullopt;
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0))
    return std::nullopt;
  return h * 60 + m;
}

/// A `YYYY-MM-DD` calendar date.
bool isDate(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-')
    return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (text[i] < '0' || text[i] > '9')
      return false;
  const int month = std::stoi(text.substr(5, 2));
  const int day = std::stoi(text.substr(8, 2));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

} // namespace

Expected<RolloutWindow> MigrationParser::parseWindow(const YAML::Node& node) const {
  const std::string example = "e.g. `- {days: [mon, tue], start: \"09:00\", end: \"17:00\", "
                              "rate: 10/hour}`";
  if (!node.IsMap())
    return at(node, "a `windows` entry must be a mapping", example);
  auto keys = entries(node, kWindowKeys, "in a rollout window");
  if (!keys)
    return keys.error();
  static const std::vector<std::string_view> kDays{"sunday",   "monday", "tuesday", "wednesday",
                                                   "thursday", "friday", "saturday"};
  RolloutWindow window;
  for (const Entry& k : *keys) {
    if (k.key == "days") {
      auto days = stringList(k, "day", "e.g. `days: [mon, tue, wed, thu, fri]`");
      if (!days)
        return days.error();
      size_t i = 0;
      for (const std::string& day : *days) {
        const std::string d = lower(day);
        auto found = std::find_if(kDays.begin(), kDays.end(), [&](std::string_view full) {
          return d == full || (d.size() == 3 && full.substr(0, 3) == d);
        });
        if (found == kDays.end())
          return at(k.value[i], "unknown day " + tick(day),
                    "use a day's name or its first three letters, e.g. `mon` or `saturday`");
        window.days.push_back(static_cast<int>(found - kDays.begin()));
        ++i;
      }
    } else if (k.key == "start" || k.key == "end") {
      auto text = scalar(k);
      if (!text)
        return text.error();
      auto minute = parseClock(*text);
      if (!minute || (k.key == "start" && *minute == 24 * 60))
        return at(k.value, "invalid time " + tick(*text) + " in `" + k.key + "`",
                  "write 24-hour UTC time as \"HH:MM\", e.g. `" + k.key + ": \"09:00\"`");
      (k.key == "start" ? window.startMinute : window.endMinute) = *minute;
    } else if (k.key == "rate") {
      auto text = scalar(k);
      if (!text)
        return text.error();
      const std::string hint = "write `N/hour` (or /minute, /second, /day), or `unlimited`";
      if (*text != "unlimited") {
        const size_t slash = text->find('/');
        const std::string count = text->substr(0, slash);
        const std::string unit = slash == std::string::npos ? "" : text->substr(slash + 1);
        const int64_t period = unit == "second"   ? 1
                               : unit == "minute" ? 60
                               : unit == "hour"   ? 3600
                               : unit == "day"    ? 86400
                                                  : 0;
        bool digits =
            !count.empty() && count.size() < 7 &&
            std::all_of(count.begin(), count.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!digits || period == 0)
          return at(k.value, "invalid rate " + tick(*text), hint);
        window.rate = std::stoi(count);
        window.ratePeriodSeconds = period;
      }
    }
  }
  if (window.endMinute <= window.startMinute)
    return at(node, "a rollout window must end after it starts",
              "windows are within one UTC day; split one that spans midnight in two");
  return window;
}

Expected<RolloutSettings> MigrationParser::parseRollout(const Entry& e) const {
  if (!e.value.IsMap())
    return at(valueAnchor(e), "`rollout` must be a mapping",
              "indent `waves:`, `gate:`, `prsPerHour:`, … under it (see docs/runner.md)");
  auto keys = entries(e.value, kRolloutKeys, "in `rollout`");
  if (!keys)
    return keys.error();
  RolloutSettings rollout;
  for (const Entry& k : *keys) {
    if (k.key == "waves") {
      const std::string hint = "cumulative shares or counts, ending with the whole fleet, "
                               "e.g. `waves: [5%, 25%, 100%]` or `waves: [10, 100, 100%]`";
      if (!k.value.IsSequence() || k.value.size() == 0)
        return at(valueAnchor(k), "`waves` must be a non-empty list", hint);
      double lastPercent = 0, lastCount = 0;
      for (const YAML::Node& item : k.value) {
        std::string text = item.IsScalar() ? item.Scalar() : std::string();
        WaveStep step;
        step.percent = !text.empty() && text.back() == '%';
        if (step.percent)
          text.pop_back();
        char* end = nullptr;
        errno = 0;
        step.value = text.empty() ? 0 : std::strtod(text.c_str(), &end);
        bool ok = !text.empty() && errno == 0 && end == text.c_str() + text.size();
        ok = ok &&
             (step.percent ? step.value > 0 && step.value <= 100
                           : step.value >= 1 && step.value == static_cast<int64_t>(step.value));
        if (!ok)
          return at(item, "invalid wave " + tick(item.IsScalar() ? item.Scalar() : "?"), hint);
        // Later waves must cover more: compare shares with shares and counts with counts.
        double& last = step.percent ? lastPercent : lastCount;
        if (step.value <= last)
          return at(item, "wave " + tick(item.Scalar()) + " does not grow the rollout", hint);
        if (step.percent ? lastPercent == 100 : false)
          return at(item, "no wave can follow one of 100%", hint);
        last = step.value;
        rollout.waves.push_back(step);
      }
      const WaveStep& final = rollout.waves.back();
      if (!(final.percent && final.value == 100))
        return at(k.value[k.value.size() - 1], "the last wave must be `100%`", hint);
    } else if (k.key == "seed") {
      auto seed = integer(k, 0);
      if (!seed)
        return seed.error();
      rollout.seed = static_cast<uint64_t>(*seed);
    } else if (k.key == "gate") {
      if (!k.value.IsMap())
        return at(valueAnchor(k), "`gate` must be a mapping",
                  "indent `timeout:`, `maxFailureRatio:` or `minMergedRatio:` under it");
      auto gate = entries(k.value, kGateKeys, "in `gate`");
      if (!gate)
        return gate.error();
      for (const Entry& g : *gate) {
        if (g.key == "timeout") {
          auto text = scalar(g);
          if (!text)
            return text.error();
          auto seconds = parseDuration(*text);
          if (!seconds)
            return at(g.value, "invalid duration " + tick(*text),
                      "a number and a unit (s, m, h or d), e.g. `timeout: 24h`");
          rollout.gateTimeoutSeconds = *seconds;
        } else {
          auto value = ratio(g);
          if (!value)
            return value.error();
          if (g.key == "maxFailureRatio")
            rollout.maxFailureRatio = *value;
          else
            rollout.minMergedRatio = *value;
        }
      }
    } else if (k.key == "prsPerHour" || k.key == "maxOpenPRs" || k.key == "maxOpenPRsPerOwner") {
      auto value = integer(k, 1);
      if (!value)
        return value.error();
      const int n = static_cast<int>(std::min<int64_t>(*value, 1 << 30));
      (k.key == "prsPerHour"   ? rollout.prsPerHour
       : k.key == "maxOpenPRs" ? rollout.maxOpenPRs
                               : rollout.maxOpenPRsPerOwner) = n;
    } else if (k.key == "windows") {
      if (!k.value.IsSequence())
        return at(valueAnchor(k), "`windows` must be a list",
                  "e.g. `windows: [{days: [mon, tue], start: \"09:00\", end: \"17:00\"}]`");
      for (const YAML::Node& item : k.value) {
        auto window = parseWindow(item);
        if (!window)
          return window.error();
        rollout.windows.push_back(std::move(*window));
      }
    } else if (k.key == "deadline") {
      auto text = scalar(k);
      if (!text)
        return text.error();
      if (!isDate(*text))
        return at(k.value, "invalid deadline " + tick(*text),
                  "write a date as YYYY-MM-DD, e.g. `deadline: 2027-06-30`");
      rollout.deadline = *text;
    } else if (k.key == "notify") {
      if (!k.value.IsMap())
        return at(valueAnchor(k), "`notify` must be a mapping",
                  "e.g. `notify: {webhook: https://hooks.example.com/godwit}`");
      auto notify = entries(k.value, {"webhook"}, "in `notify`");
      if (!notify)
        return notify.error();
      for (const Entry& n : *notify) {
        auto url = scalar(n);
        if (!url)
          return url.error();
        if (url->rfind("https://", 0) != 0 && url->rfind("http://", 0) != 0)
          // Not echoed: a webhook URL often carries its secret in the path or query.
          return at(n.value, "`webhook` must be an http:// or https:// URL",
                    "e.g. `webhook: https://hooks.example.com/godwit`");
        rollout.notifyWebhook = *url;
      }
    }
  }
  return rollout;
}

/// A Backstage entity name or namespace: letters and digits, separated by single `-`, `_` or `.`,
/// at most 63 characters (the catalog's own rule).
bool validEntityName(std::string_view s) {
  if (s.empty() || s.size() > 63)
    return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(s.front()) || !alnum(s.back()))
    return false;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    const bool separator = s[i] == '-' || s[i] == '_' || s[i] == '.';
    if (!alnum(s[i]) && (!separator || !alnum(s[i + 1])))
      return false;
  }
  return true;
}

/// `kind:[namespace/]name` lower-cased with the namespace filled in, or "" when malformed.
std::string entityRef(std::string_view ref) {
  const size_t colon = ref.find(':');
  if (colon == std::string_view::npos)
    return {};
  std::string_view kind = ref.substr(0, colon);
  std::string_view rest = ref.substr(colon + 1);
  const size_t slash = rest.find('/');
  std::string_view ns = slash == std::string_view::npos ? "default" : rest.substr(0, slash);
  std::string_view name = slash == std::string_view::npos ? rest : rest.substr(slash + 1);
  bool kindOk = !kind.empty() && std::all_of(kind.begin(), kind.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
  if (!kindOk || !validEntityName(ns) || !validEntityName(name))
    return {};
  return lower(std::string(kind) + ":" + std::string(ns) + "/" + std::string(name));
}

Expected<BackstageSettings> MigrationParser::parseBackstage(const Entry& e) const {
  if (!e.value.IsMap())
    return at(valueAnchor(e), "`backstage` must be a mapping",
              "e.g. `backstage: {entity: resource:default/user-profile}`");
  auto keys = entries(e.value, kBackstageKeys, "in `backstage`");
  if (!keys)
    return keys.error();
  BackstageSettings backstage;
  for (const Entry& k : *keys) {
    if (k.key == "entity") {
      auto text = scalar(k);
      if (!text)
        return text.error();
      backstage.entity = entityRef(*text);
      if (backstage.entity.empty())
        return at(k.value, "invalid entity reference " + tick(*text),
                  "write the catalog entity as `kind:namespace/name`, e.g. "
                  "`resource:default/user-profile`");
    } else {
      auto filters = stringList(k, "filter", "e.g. `filter: [\"kind=component,spec.type=service\"]`");
      if (!filters)
        return filters.error();
      for (size_t i = 0; i < filters->size(); ++i) {
        const std::string& f = (*filters)[i];
        bool ok = !f.empty() && f.front() != ',' && f.back() != ',' &&
                  f.find(",,") == std::string::npos && f.find(",=") == std::string::npos &&
                  f.front() != '=';
        if (!ok)
          return at(k.value[i], "invalid catalog filter " + tick(f),
                    "write conditions `key` or `key=value` separated by commas, e.g. "
                    "`kind=component,spec.owner=group:default/payments`");
      }
      backstage.filter = std::move(*filters);
    }
  }
  return backstage;
}

Expected<void> MigrationParser::parseDataset(const YAML::Node& node,
                                             std::vector<Located>& out) const {
  if (!node.IsMap())
    return at(node, "a dataset must be a mapping with `kind`, `from` and `to`",
              "write `- kind: bigquery-table` then `from:` and `to:` indented under it");
  auto keys = entries(node, kDatasetKeys, "in a dataset");
  if (!keys)
    return keys.error();
  Located located;
  located.spec.pos = posOf(node);

  const Entry* kind = findYamlEntry(*keys, "kind");
  std::vector<std::string_view> kindNames;
  for (const auto& [k, name] : kKindNames)
    kindNames.push_back(name);
  if (!kind)
    return at(node, "the dataset has no `kind`", "add `kind:`, one of " + listOf(kindNames));
  auto kindValue = scalar(*kind);
  if (!kindValue)
    return kindValue.error();
  std::optional<DatasetKind> parsed = parseKind(*kindValue);
  if (!parsed) {
    std::string hint = "valid kinds: " + listOf(kindNames);
    if (auto guess = closestWord(*kindValue, kindNames))
      hint = "did you mean " + tick(*guess) + "? " + hint;
    return at(kind->value, "unknown dataset kind " + tick(*kindValue), hint);
  }
  located.spec.kind = *parsed;

  for (std::string_view key : {"from", "to"}) {
    const Entry* e = findYamlEntry(*keys, key);
    if (!e)
      return at(node, "the dataset has no " + tick(key),
                "add `" + std::string(key) + ":`; " + std::string(datasetNameForm(*parsed)));
    auto value = scalar(*e);
    if (!value)
      return value.error();
    if (auto problem = validateDatasetName(*parsed, *value))
      return at(e->value,
                "invalid `" + std::string(key) + "` for " + std::string(kindName(*parsed)) + ": " +
                    *problem,
                std::string(datasetNameForm(*parsed)));
    std::string name = *value;
    if (*parsed == DatasetKind::GcsPrefix && name.back() != '/')
      name += '/';
    if (key == "from") {
      located.spec.from = name;
      located.from = posOf(e->value);
    } else {
      located.spec.to = name;
      located.to = posOf(e->value);
    }
  }
  const bool caseless = *parsed == DatasetKind::HiveTable;
  if (located.spec.from == located.spec.to ||
      (caseless && lower(located.spec.from) == lower(located.spec.to)))
    return at(located.to, "`to` is the same as `from`", "set `to` to the dataset's new location");
  // A `to` that this dataset's own matcher finds would be migrated again by the next run.
  if (!DatasetMatcher(located.spec).find(located.spec.to).empty())
    return at(located.to,
              "`to` (" + tick(located.spec.to) + ") contains `from`: a second run would " +
                  "rewrite the new references again",
              "move the dataset to a location that is not inside `from`");

  if (const Entry* columns = findYamlEntry(*keys, "columns")) {
    if (auto r = parseColumns(*columns, *parsed, located.spec.columns); !r)
      return r.error();
  }
  out.push_back(std::move(located));
  return {};
}

Expected<void> MigrationParser::checkColumnName(const YAML::Node& node) const {
  bool ok = node.IsScalar() && !node.Scalar().empty();
  if (ok) {
    const std::string& s = node.Scalar();
    ok = !(s[0] >= '0' && s[0] <= '9');
    for (char c : s)
      ok = ok &&
           ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (ok)
    return {};
  return at(node,
            "invalid column name" + (node.IsScalar() ? " " + tick(node.Scalar()) : std::string()),
            "a column name is letters, digits and underscores, not starting with a digit");
}

Expected<void> MigrationParser::parseColumns(const Entry& e, DatasetKind kind,
                                             ColumnChanges& out) const {
  if (kind != DatasetKind::BigQueryTable && kind != DatasetKind::HiveTable)
    return at(e.keyNode, "`columns` is not allowed for a " + std::string(kindName(kind)),
              "only bigquery-table and hive-table datasets have columns; remove `columns`");
  if (e.value.IsNull())
    return {};
  if (!e.value.IsMap())
    return at(e.value, "`columns` must be a mapping with `rename` and/or `removed`",
              "e.g. `columns: { rename: { old_name: new_name }, removed: [gone] }`");
  auto keys = entries(e.value, kColumnKeys, "in `columns`");
  if (!keys)
    return keys.error();
  std::vector<std::pair<std::string, SourcePos>> seen; // every column named so far
  auto remember = [&](const YAML::Node& node) -> Expected<void> {
    for (const auto& [name, pos] : seen)
      if (name == node.Scalar())
        return at(node,
                  "column " + tick(name) + " is already listed at line " + std::to_string(pos.line),
                  "list each column once, in `rename` or in `removed`");
    seen.emplace_back(node.Scalar(), posOf(node));
    return {};
  };
  for (const Entry& k : *keys) {
    if (k.value.IsNull())
      continue;
    if (k.key == "rename") {
      if (!k.value.IsMap())
        return at(k.value, "`rename` must be a mapping of old column name to new name",
                  "e.g. `rename: { country_code: country }`");
      std::vector<std::string> targets;
      for (auto it = k.value.begin(); it != k.value.end(); ++it) {
        const YAML::Node oldName = it->first;
        const YAML::Node newName = it->second;
        for (const YAML::Node& n : {oldName, newName})
          if (auto r = checkColumnName(n); !r)
            return r.error();
        if (auto r = remember(oldName); !r)
          return r.error();
        const std::string from = oldName.Scalar();
        const std::string to = newName.Scalar();
        if (from == to)
          return at(newName, "column " + tick(from) + " is renamed to itself",
                    "remove this rename or give the new name");
        if (std::find(targets.begin(), targets.end(), to) != targets.end())
          return at(newName, "two columns are renamed to " + tick(to),
                    "give each renamed column its own new name");
        targets.push_back(to);
        out.rename.emplace_back(from, to);
      }
    } else {
      if (!k.value.IsSequence())
        return at(k.value, "`removed` must be a list of column names",
                  "e.g. `removed: [legacy_segment]`");
      for (const YAML::Node& column : k.value) {
        if (auto r = checkColumnName(column); !r)
          return r.error();
        if (auto r = remember(column); !r)
          return r.error();
        out.removed.push_back(column.Scalar());
      }
    }
  }
  return {};
}

bool sameName(DatasetKind kind, const std::string& a, const std::string& b) {
  return kind == DatasetKind::HiveTable ? lower(a) == lower(b) : a == b;
}

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

/// True when references rewritten to `earlier.to` would be found again by `later` (a chain);
/// `found` is `later`'s matcher.
bool chains(const DatasetSpec& earlier, const DatasetSpec& later, const DatasetMatcher& found) {
  if (earlier.kind == DatasetKind::BigQueryDataset && later.kind == DatasetKind::BigQueryTable &&
      startsWith(later.from, earlier.to + "."))
    return true;
  if (earlier.kind == DatasetKind::GcsPrefix && later.kind == DatasetKind::GcsPrefix &&
      startsWith(later.from, earlier.to))
    return true;
  return !found.find(earlier.to).empty();
}

/// The datasets whose matcher may find something in a value: those with a prefilter literal in
/// it (every reference holds one), and those the special cases of `chains` reach. A warehouse
/// migration lists thousands of datasets, so pairs are found through this index, not tried all.
class ChainIndex {
public:
  ChainIndex(const std::vector<DatasetSpec>& specs, const std::vector<DatasetMatcher>& matchers) {
    for (size_t y = 0; y < specs.size(); ++y) {
      for (const PrefilterPattern& p : matchers[y].prefilterPatterns()) {
        auto& index = p.caseless ? caseless_ : exact_;
        index[p.caseless ? lower(p.literal) : p.literal].push_back(y);
        lengths_.insert(p.literal.size());
      }
      const DatasetSpec& d = specs[y];
      if (d.kind == DatasetKind::BigQueryTable && d.from.rfind('.') != std::string::npos)
        tablesOf_[d.from.substr(0, d.from.rfind('.'))].push_back(y);
      if (d.kind == DatasetKind::GcsPrefix)
        prefixes_.emplace_back(d.from, y);
    }
    std::sort(prefixes_.begin(), prefixes_.end());
  }

  /// The candidates whose matcher may find something in `value`, ascending, once each.
  std::vector<size_t> candidates(const DatasetSpec& earlier) const {
    const std::string& value = earlier.to;
    const std::string lowered = lower(value);
    std::vector<size_t> out;
    const auto add = [&](const auto& index, const std::string& text) {
      for (size_t len : lengths_)
        for (size_t at = 0; at + len <= text.size(); ++at)
          if (auto it = index.find(text.substr(at, len)); it != index.end())
            out.insert(out.end(), it->second.begin(), it->second.end());
    };
    add(exact_, value);
    if (!caseless_.empty())
      add(caseless_, lowered);
    if (earlier.kind == DatasetKind::BigQueryDataset)
      if (auto it = tablesOf_.find(value); it != tablesOf_.end())
        out.insert(out.end(), it->second.begin(), it->second.end());
    if (earlier.kind == DatasetKind::GcsPrefix)
      for (auto it = std::lower_bound(prefixes_.begin(), prefixes_.end(),
                                      std::pair<std::string, size_t>(value, 0));
           it != prefixes_.end() && startsWith(it->first, value); ++it)
        out.push_back(it->second);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

private:
  std::unordered_map<std::string, std::vector<size_t>> exact_, caseless_;
  std::set<size_t> lengths_;
  std::unordered_map<std::string, std::vector<size_t>> tablesOf_;
  std::vector<std::pair<std::string, size_t>> prefixes_;
};

Expected<void> MigrationParser::crossCheck(const std::vector<Located>& datasets) const {
  // The first problem in the order of the pairs (later j, earlier i): a duplicate, then a `from`
  // that is an earlier `to`, then a `to` that an earlier `from` finds.
  enum What { Duplicate, FromIsEarlierTo, ToIsEarlierFrom };
  std::optional<std::tuple<size_t, size_t, What>> first;
  const auto consider = [&](size_t j, size_t i, What what) {
    if (!first || std::make_tuple(j, i, what) < *first)
      first = std::make_tuple(j, i, what);
  };
  std::map<std::pair<DatasetKind, std::string>, size_t> byName;
  std::vector<DatasetSpec> specs;
  std::vector<DatasetMatcher> matchers;
  specs.reserve(datasets.size());
  matchers.reserve(datasets.size());
  for (size_t j = 0; j < datasets.size(); ++j) {
    const DatasetSpec& d = datasets[j].spec;
    const std::string name = d.kind == DatasetKind::HiveTable ? lower(d.from) : d.from;
    if (auto [it, fresh] = byName.emplace(std::make_pair(d.kind, name), j); !fresh)
      consider(j, it->second, Duplicate);
    specs.push_back(d);
    matchers.emplace_back(d);
  }
  const ChainIndex index(specs, matchers);
  for (size_t x = 0; x < specs.size(); ++x)
    for (size_t y : index.candidates(specs[x]))
      if (y != x && chains(specs[x], specs[y], matchers[y])) {
        if (x < y)
          consider(y, x, FromIsEarlierTo);
        else
          consider(x, y, ToIsEarlierFrom);
      }
  if (!first)
    return {};
  const auto [j, i, what] = *first;
  const Located& a = datasets[i];
  const Located& b = datasets[j];
  const std::string line = std::to_string(a.spec.pos.line);
  if (what == Duplicate)
    return at(b.from,
              "duplicate dataset: " + std::string(kindName(b.spec.kind)) + " " +
                  tick(b.spec.from) + " is already listed at line " + line,
              "list each dataset once; remove one of the two entries");
  if (what == FromIsEarlierTo)
    return at(b.from,
              "`from` " + tick(b.spec.from) + " is the new location of the dataset at line " + line +
                  ": a second run would migrate it again",
              "set the `to` at line " + line +
                  " to the final location, or make this a separate migration");
  return at(b.to,
            "`to` " + tick(b.spec.to) + " is the `from` of the dataset at line " + line +
                ": a second run would migrate it again",
            "migrate straight to the final location, or make this a separate migration");
}

} // namespace

std::string_view kindName(DatasetKind kind) {
  for (const auto& [k, name] : kKindNames)
    if (k == kind)
      return name;
  return "unknown";
}

std::optional<DatasetKind> parseKind(std::string_view name) {
  for (const auto& [k, n] : kKindNames)
    if (n == name)
      return k;
  return std::nullopt;
}

bool isMigrationNameSpelling(std::string_view n) {
  bool ok = !n.empty() && ((n[0] >= 'a' && n[0] <= 'z') || (n[0] >= '0' && n[0] <= '9'));
  for (char c : n)
    ok = ok &&
         ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
  // It becomes part of git branch names, which forbid these.
  return ok && n.find("..") == std::string_view::npos && n.back() != '.' && !n.ends_with(".lock");
}

Expected<Migration> parseMigration(std::string_view yaml, const std::string& path) {
  return MigrationParser(path).parse(yaml);
}

Expected<Migration> loadMigration(const std::string& path) {
  auto text = readYamlFile(path, kMaxMigrationBytes, "migration file");
  if (!text)
    return text.error();
  return parseMigration(*text, path);
}

} // namespace godwit
