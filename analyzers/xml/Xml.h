#pragma once
// XML files (Maven POMs, Spring bean files): every attribute value, text run and CDATA section
// is a value, decoded with its entities; element and attribute names (the keys), comments,
// processing instructions and the DOCTYPE are not. The file must be well-formed.

#include "analyzers/ConfigAnalyzer.h"

#include <memory>
#include <string_view>
#include <vector>

namespace godwit {

/// Every value of an XML file, or the first well-formedness problem.
ConfigScan scanXml(std::string_view text);

/// Builds the XML analyzer.
Expected<std::unique_ptr<Analyzer>> makeXmlAnalyzer(const std::vector<const Rule*>& rules);

} // namespace godwit
