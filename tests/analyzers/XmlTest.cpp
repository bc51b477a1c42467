#include "analyzers/xml/Xml.h"

#include "tests/analyzers/ConfigTestSupport.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace godwit {
namespace {

using test::sources;
using test::values;
using Strings = std::vector<std::string>;

TEST(XmlTest, TextAttributesAndCData) {
  const std::string src =
      "<?xml version=\"1.0\"?>\n"
      "<!DOCTYPE beans [ <!ENTITY proj \"acme-prod\"> ]>\n"
      "<!-- playback-events in a comment -->\n"
      "<beans xmlns=\"http://www.springframework.org/schema/beans\">\n"
      "  <bean id='sink'><property name=\"topic\" value=\"playback-events\"/></bean>\n"
      "  <playback-events>text &amp; more</playback-events>\n"
      "  <sql><![CDATA[SELECT * FROM `acme-prod.core_users.t` WHERE a < b]]></sql>\n"
      "</beans>\n";
  const ConfigScan scan = scanXml(src);
  EXPECT_EQ(test::firstProblem(scan), "");
  EXPECT_EQ(values(scan), (Strings{"http://www.springframework.org/schema/beans", "sink", "topic",
                                   "playback-events", "text & more",
                                   "SELECT * FROM `acme-prod.core_users.t` WHERE a < b"}));
  const ConfigValue* attr = test::valueWith(scan, "playback-events");
  ASSERT_NE(attr, nullptr);
  EXPECT_EQ(attr->value.pieces[0].style.syntax, LiteralSyntax::Xml);
  EXPECT_EQ(attr->value.pieces[0].style.quote, '"');
  EXPECT_EQ(attr->begin, src.find("\"playback-events\""));
  const ConfigValue* cdata = test::valueWith(scan, "SELECT");
  ASSERT_NE(cdata, nullptr);
  EXPECT_EQ(cdata->value.pieces[0].style.syntax, LiteralSyntax::XmlCData);
}

TEST(XmlTest, EntitiesMapToTheirSource) {
  const std::string src = "<t a='it&apos;s &#x41;&#66;'>acme&#45;prod.core_users.t\r\n&proj;x</t>";
  const ConfigScan scan = scanXml(src);
  EXPECT_EQ(test::firstProblem(scan), "");
  EXPECT_EQ(values(scan), (Strings{"it's AB", "acme-prod.core_users.t\n<?>x"}));
  const DecodedString& text = scan.values[1].value;
  test::expectWellFormed(text);
  EXPECT_EQ(sources(text, src)[4], "&#45;");
  EXPECT_EQ(text.srcBegin[text.value.find("prod")], src.find("prod"));
  EXPECT_EQ(sources(text, src)[22], "\r\n");
  EXPECT_EQ(scan.values[0].value.pieces[0].style.quote, '\'');
}

TEST(XmlTest, MavenPropertiesAndPlaceholders) {
  const ConfigScan scan = scanXml("<project>\n"
                                  "  <properties>\n"
                                  "    <kafka.topic>playback-events</kafka.topic>\n"
                                  "    <bq.table>${gcp.project}.core_users.t</bq.table>\n"
                                  "  </properties>\n"
                                  "</project>\n");
  EXPECT_EQ(values(scan), (Strings{"playback-events", "<?>.core_users.t"}));
}

TEST(XmlTest, WellFormednessProblems) {
  EXPECT_EQ(test::firstProblem(scanXml("<a><b></a>")), "closing tag </a> does not match <b>");
  EXPECT_EQ(test::firstProblem(scanXml("<a>")), "element <a> is not closed");
  EXPECT_EQ(test::firstProblem(scanXml("<a>x & y</a>")),
            "`&` that starts no entity (write `&amp;`)");
  EXPECT_EQ(test::firstProblem(scanXml("<a b=\"<\"/>")),
            "`<` in an attribute value (write `&lt;`)");
  EXPECT_EQ(test::firstProblem(scanXml("<a/><b/>")), "a second root element");
  EXPECT_EQ(test::firstProblem(scanXml("<a/>tail")), "text after the root element");
  EXPECT_EQ(test::firstProblem(scanXml("<a b=c/>")), "an attribute value needs quotes");
  EXPECT_EQ(test::firstProblem(scanXml("<a><!-- open</a>")), "unterminated comment");
  EXPECT_EQ(test::firstProblem(scanXml("")), "no root element");
  const std::string src = "<a>\n  <b>\n</a>\n";
  const ConfigScan scan = scanXml(src);
  ASSERT_EQ(scan.problems.size(), 1u);
  EXPECT_EQ(scan.problems[0].offset, src.find("</a>"));
}

} // namespace
} // namespace godwit
