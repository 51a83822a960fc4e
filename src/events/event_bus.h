#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "events/event.h"
#include "events/metrics.h"

namespace assay::events {

/// Identifies one subscription; 0 is never a valid id.
using SubscriptionId = std::uint64_t;

/// Returned by EventBus::Subscribe for an invalid pattern or an empty callback.
inline constexpr SubscriptionId kInvalidSubscriptionId = 0;

/// How an EventBus is sized and where it reports its own metrics.
struct EventBusOptions {
  /// Events that may wait for the dispatcher before Publish blocks (backpressure). At least 1.
  size_t queue_capacity = 4096;
  /// Events kept for Recent() (the dashboard's event log on page load). 0 keeps none.
  size_t recent_capacity = 1000;
  /// Registry for the bus's own metrics (event_bus_* and errors_total{stage="event_bus"}); not
  /// owned, must outlive the bus. nullptr: the bus keeps a private registry (see metrics()).
  MetricsRegistry* metrics = nullptr;
};

/// In-process publish/subscribe (DESIGN §7): components publish typed events, subscribers (the
/// dashboard's SSE stream, the state store's event log, the run summary) receive them on one
/// dispatcher thread.
///
/// Guarantees:
/// - Delivery order is the order in which Publish accepted events (one global FIFO), so events of
///   a topic arrive in publish order; from one publishing thread, in program order.
/// - Each subscriber is called with no lock held and from the dispatcher thread only, so a
///   subscriber needs no locking of its own for state touched only by its callback.
/// - At most `queue_capacity` events wait; Publish blocks when the queue is full, TryPublish
///   returns false. Publishing from inside a callback (on the dispatcher thread) never blocks:
///   the dispatcher cannot wait for itself, so such events go to the queue even when it is full.
///   That is bounded by what callbacks publish per event they receive.
/// - A subscriber that throws does not stop delivery: the exception is logged and counted in
///   `errors_total{stage="event_bus",code="subscriber_exception"}`.
/// - Stop (and the destructor) deliver everything already accepted, then join the dispatcher.
///   Events published after Stop, or by a Publish still blocked on a full queue when Stop is
///   called, are dropped and counted in `event_bus_rejected_total{reason="stopped"}`; callbacks
///   may still publish while Stop drains, and those events are delivered too.
///
/// All methods are thread-safe.
class EventBus {
 public:
  /// Starts the dispatcher thread.
  explicit EventBus(EventBusOptions options = {});
  /// Stop(): drains and joins.
  ~EventBus();
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  /// Calls `callback` for every later event whose topic matches `topic_pattern`: an exact topic,
  /// a prefix pattern `source.*`, or `*` (see TopicMatches). Returns kInvalidSubscriptionId for an
  /// invalid pattern or an empty callback. Events already queued when Subscribe returns may or may
  /// not be delivered to it.
  SubscriptionId Subscribe(std::string topic_pattern, std::function<void(const Event&)> callback);

  /// Removes a subscription; false if there is no such subscription. When called outside the
  /// dispatcher thread it also waits for a running call of that callback to return, so after
  /// Unsubscribe the callback is never running and whatever it captured may be destroyed. From
  /// inside a callback it does not wait (the call in progress is the caller itself).
  bool Unsubscribe(SubscriptionId id);

  /// Queues `event` for delivery, blocking while the queue is full (except on the dispatcher
  /// thread, see the class comment). Assigns event.sequence; fills timestamp_us when it is 0.
  void Publish(Event event);

  /// As Publish but never blocks: false, and the event is dropped, when the queue is full or
  /// the bus is stopped.
  [[nodiscard]] bool TryPublish(Event event);

  /// Waits until every event accepted before the call has been delivered to all subscribers,
  /// including events those subscribers published in turn while handling them (cascades), so a
  /// test or the end of a run sees a quiet bus. From the dispatcher thread it returns at once
  /// (waiting for itself would deadlock).
  void Flush();

  /// Stops accepting events, delivers everything already accepted, and joins the dispatcher.
  /// Idempotent. From the dispatcher thread it only stops accepting; the destructor joins.
  void Stop();

  /// The last `n` events the dispatcher took for delivery (at most recent_capacity) whose topic
  /// matches `topic_pattern`, oldest first.
  std::vector<Event> Recent(size_t n, std::string_view topic_pattern = "*") const;

  /// Events waiting for the dispatcher now.
  size_t queue_depth() const;

  /// The registry the bus reports to (EventBusOptions::metrics or its private one).
  MetricsRegistry& metrics() { return *metrics_; }

 private:
  struct Subscription;
  using SubscriptionList = std::vector<std::shared_ptr<Subscription>>;

  // A queued event and the sequence of the event at the root of its cascade (itself, unless it
  // was published by a callback), which Flush waits for.
  struct Queued {
    Event event;
    std::uint64_t root = 0;
  };

  bool IsDispatcherThread() const;
  // Needs mu_ held. Assigns the sequence and the cascade root, and wakes the dispatcher.
  void EnqueueLocked(Event&& event, bool on_dispatcher);
  void RejectStopped();
  void DispatchLoop();
  void Deliver(const Event& event);

  std::unique_ptr<MetricsRegistry> own_metrics_;
  MetricsRegistry* metrics_;
  const size_t capacity_;
  const size_t recent_capacity_;

  // Looked up once; updated lock-free on every event.
  Counter* published_total_;
  Counter* rejected_full_total_;
  Counter* rejected_stopped_total_;
  Counter* publish_blocked_total_;
  Counter* subscriber_errors_total_;
  Gauge* queue_depth_gauge_;

  // Queue state.
  mutable std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::condition_variable progress_;  // an event was delivered, or the dispatcher exited
  std::deque<Queued> queue_;
  bool accepting_ = true;
  bool dispatcher_done_ = false;
  std::uint64_t next_sequence_ = 1;
  // Root sequence of the event being delivered (0 when idle): events published by its
  // callbacks inherit it.
  std::uint64_t current_root_ = 0;
  // Root sequence -> events queued or being delivered with that root; Flush waits until no root
  // at or below its mark is left.
  std::map<std::uint64_t, size_t> outstanding_roots_;

  // Subscriptions: copy-on-write, so the dispatcher takes a snapshot without holding a lock
  // while it calls back.
  mutable std::mutex subs_mu_;
  std::condition_variable callback_done_;
  std::shared_ptr<const SubscriptionList> subscriptions_;
  SubscriptionId next_subscription_id_ = 1;
  SubscriptionId running_subscription_ = 0;  // the callback running now, for Unsubscribe

  // The Recent() ring.
  mutable std::mutex recent_mu_;
  std::deque<std::shared_ptr<const Event>> recent_;

  // Set by the dispatcher when it starts; atomic so Unsubscribe and Publish can compare without
  // taking mu_.
  std::atomic<std::thread::id> dispatcher_id_;
  std::thread dispatcher_;
  std::mutex join_mu_;  // serialises joining between Stop and the destructor
};

}  // namespace assay::events
