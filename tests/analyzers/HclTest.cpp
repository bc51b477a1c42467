#include "analyzers/hcl/Hcl.h"

#include "tests/analyzers/LanguageTestSupport.h"

#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

namespace godwit {
namespace {

using test::readable;
using test::Snippet;

TEST(HclTest, DescribesTheLanguage) {
  const TreeSitterLanguage& hcl = hclLanguage();
  EXPECT_EQ(hcl.name, "hcl");
  EXPECT_EQ(hcl.constantPrefix, "var.");
  ASSERT_NE(hcl.grammar(), nullptr);
  // Debian's runtime loads ABI 14 only: the shim must hand it that.
  EXPECT_EQ(ts_language_version(hcl.grammar()), 14u);
}

TEST(HclTest, QuotedStringDecodesEscapesThroughTheMap) {
  const std::string src = "a = \"acme-prod.core_users.\\u0075ser_profile_v1 $${x}\"\n";
  Snippet s(hclLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  const auto d = s.decodeAt("\"acme");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "acme-prod.core_users.user_profile_v1 ${x}");
  const size_t u = d->value.find("ser_profile") - 1;
  EXPECT_EQ(src.substr(d->srcBegin[u], d->srcEnd[u] - d->srcBegin[u]), "\\u0075");
  const size_t dollar = d->value.find('$');
  EXPECT_EQ(src.substr(d->srcBegin[dollar], d->srcEnd[dollar] - d->srcBegin[dollar]), "$$");
}

TEST(HclTest, HeredocsKeepEveryByteInTheMap) {
  const std::string src = "q = <<-EOT\n    SELECT * FROM `acme-prod.core_users.user_profile_v1`\n  EOT\n"
                          "r = <<EOT\nx ${var.missing} y\nEOT\n";
  Snippet s(hclLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  const auto q = s.decodeAt("<<-EOT");
  ASSERT_TRUE(q);
  test::expectWellFormed(*q);
  EXPECT_NE(q->value.find("`acme-prod.core_users.user_profile_v1`"), std::string::npos);
  const size_t at = q->value.find("acme");
  EXPECT_EQ(q->srcBegin[at], src.find("acme"));
  EXPECT_TRUE(q->pieces.front().style.raw);
  const auto r = s.decodeAt("<<EOT");
  ASSERT_TRUE(r);
  EXPECT_EQ(readable(r->value), "x <?> y\n");
}

TEST(HclTest, VariablesWithADefaultResolveAndOthersAreHoles) {
  const std::string src = "variable \"dataset\" {\n  default = \"core_users\"\n}\n"
                          "variable \"project\" {\n  type = string\n}\n"
                          "a = \"acme-prod.${var.dataset}.user_profile_v1\"\n"
                          "b = \"${var.project}.core_users.user_profile_v1\"\n";
  Snippet s(hclLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  s.collectConstants();
  ASSERT_EQ(s.constants().size(), 1u);
  EXPECT_EQ(s.constants().begin()->first, "var.dataset");
  const auto a = s.decodeAt("\"acme-prod.${");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->value, "acme-prod.core_users.user_profile_v1");
  EXPECT_EQ(a->pieces[1].constant, "var.dataset");
  const auto b = s.decodeAt("\"${var.project}");
  ASSERT_TRUE(b);
  EXPECT_EQ(readable(b->value), "<?>.core_users.user_profile_v1");
}

TEST(HclTest, BlockLabelsAreNotValues) {
  const std::string src = "resource \"google_bigquery_table\" \"user_profile_v1\" {\n"
                          "  table_id = \"user_profile_v1\"\n}\n";
  Snippet s(hclLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  const TSNode label = s.stringAt("\"user_profile_v1\" {");
  ASSERT_FALSE(ts_node_is_null(label));
  const TSNode block = ts_node_named_child(ts_node_named_child(s.root(), 0), 0);
  ASSERT_STREQ(ts_node_type(block), "block");
  const std::vector<TSNode> ancestors{s.root(), block};
  EXPECT_FALSE(hclLanguage().isStringExpressionAt(label, std::span<const TSNode>(ancestors), s.src()));
  const TSNode value = s.stringAt("\"user_profile_v1\"\n");
  EXPECT_TRUE(hclLanguage().isStringExpression(value, s.src()));
}

} // namespace
} // namespace godwit
