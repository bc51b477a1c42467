#pragma once
// What the server hands on from a verified webhook delivery, and the function that takes it
// (the store's durable queue in the executable, a recording sink in tests).

#include "rules/Expected.h"

#include <functional>
#include <string>

namespace godwit {

/// A delivery whose signature was verified: GitHub's delivery id, event name and raw body.
struct WebhookDelivery {
  std::string id;    ///< X-GitHub-Delivery, a GUID that redeliveries repeat.
  std::string event; ///< X-GitHub-Event, e.g. `push`.
  std::string body;  ///< The JSON payload, byte for byte as signed.
};

/// What became of a delivery handed to the intake.
enum class IntakeResult {
  Queued,    ///< Durably queued for processing.
  Duplicate, ///< Its id was seen before: acknowledged, not queued again.
};

/// Takes a delivery; returns only once it is durably queued (or known to be a duplicate).
using WebhookIntake = std::function<Expected<IntakeResult>(const WebhookDelivery&)>;

} // namespace godwit
