#include "bot/app/StoreIntake.h"

#include "bot/webhook/WebhookEvent.h"

namespace godwit {

DeliveryRecord deliveryRecord(const WebhookDelivery& delivery) {
  DeliveryRecord record;
  record.deliveryId = delivery.id;
  record.event = delivery.event;
  record.payload = delivery.body;
  if (auto read = readWebhookEvent(delivery.event, delivery.body)) {
    record.action = read->action;
    record.repositoryId = read->repository ? read->repository->id : 0;
    record.installationId = read->installationId;
  }
  return record;
}

Expected<IntakeResult> queueDelivery(Store& store, const WebhookDelivery& delivery) {
  auto queued = store.enqueueDelivery(deliveryRecord(delivery));
  if (!queued)
    return queued.error();
  return *queued ? IntakeResult::Queued : IntakeResult::Duplicate;
}

} // namespace godwit
