#pragma once
// The intake of the real server: a verified delivery queued durably in the Store's deliveries
// table (bot/store/Store.h), where the App's workers claim it (bot/webhook/).

#include "bot/app/WebhookIntake.h"
#include "bot/store/Store.h"

namespace godwit {

/// The delivery as the store queues it: the raw body, with the action, repository id and
/// installation id read from it (empty and 0 when the body does not read; the worker then
/// fails it with the reader's error).
DeliveryRecord deliveryRecord(const WebhookDelivery& delivery);

/// Queues `delivery` in `store`: Queued, or Duplicate when its delivery id was queued before.
/// Returns once the store has committed it.
Expected<IntakeResult> queueDelivery(Store& store, const WebhookDelivery& delivery);

} // namespace godwit
