#include "events/event_bus.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <utility>

namespace assay::events {

struct EventBus::Subscription {
  SubscriptionId id = 0;
  std::string pattern;
  std::function<void(const Event&)> callback;
  bool active = true;  // guarded by subs_mu_
};

EventBus::EventBus(EventBusOptions options)
    : own_metrics_(options.metrics == nullptr ? std::make_unique<MetricsRegistry>() : nullptr),
      metrics_(options.metrics != nullptr ? options.metrics : own_metrics_.get()),
      capacity_(std::max<size_t>(options.queue_capacity, 1)),
      recent_capacity_(options.recent_capacity),
      published_total_(&metrics_->GetCounter(metric::kEventBusPublishedTotal)),
      rejected_full_total_(
          &metrics_->GetCounter(metric::kEventBusRejectedTotal, {{"reason", "full"}})),
      rejected_stopped_total_(
          &metrics_->GetCounter(metric::kEventBusRejectedTotal, {{"reason", "stopped"}})),
      publish_blocked_total_(&metrics_->GetCounter(metric::kEventBusPublishBlockedTotal)),
      subscriber_errors_total_(&metrics_->GetCounter(
          metric::kErrorsTotal, {{"stage", "event_bus"}, {"code", "subscriber_exception"}})),
      queue_depth_gauge_(&metrics_->GetGauge(metric::kEventBusQueueDepth)),
      subscriptions_(std::make_shared<const SubscriptionList>()) {
  dispatcher_ = std::thread([this] { DispatchLoop(); });
}

EventBus::~EventBus() { Stop(); }

bool EventBus::IsDispatcherThread() const {
  return std::this_thread::get_id() == dispatcher_id_.load(std::memory_order_acquire);
}

SubscriptionId EventBus::Subscribe(std::string topic_pattern,
                                   std::function<void(const Event&)> callback) {
  if (!IsValidTopicPattern(topic_pattern) || !callback) {
    spdlog::error("event bus: invalid subscription to '{}'", topic_pattern);
    return kInvalidSubscriptionId;
  }
  auto subscription = std::make_shared<Subscription>();
  subscription->pattern = std::move(topic_pattern);
  subscription->callback = std::move(callback);
  std::lock_guard lock(subs_mu_);
  subscription->id = next_subscription_id_++;
  auto list = std::make_shared<SubscriptionList>(*subscriptions_);
  list->push_back(subscription);
  subscriptions_ = std::move(list);
  return subscription->id;
}

bool EventBus::Unsubscribe(SubscriptionId id) {
  std::unique_lock lock(subs_mu_);
  auto list = std::make_shared<SubscriptionList>(*subscriptions_);
  auto it = std::find_if(list->begin(), list->end(),
                         [id](const std::shared_ptr<Subscription>& s) { return s->id == id; });
  if (it == list->end()) return false;
  // The dispatcher may hold an older snapshot of the list; `active` stops it from calling.
  (*it)->active = false;
  list->erase(it);
  subscriptions_ = std::move(list);
  if (!IsDispatcherThread()) {
    callback_done_.wait(lock, [&] { return running_subscription_ != id; });
  }
  return true;
}

void EventBus::EnqueueLocked(Event&& event, bool on_dispatcher) {
  if (event.timestamp_us == 0) event.timestamp_us = NowMicros();
  event.sequence = next_sequence_++;
  // An event published while another is delivered belongs to that event's cascade, so a Flush
  // waiting for the parent also waits for it.
  const std::uint64_t root = on_dispatcher && current_root_ != 0 ? current_root_ : event.sequence;
  ++outstanding_roots_[root];
  queue_.push_back(Queued{std::move(event), root});
  queue_depth_gauge_->Set(static_cast<double>(queue_.size()));
  published_total_->Add();
  not_empty_.notify_one();
}

void EventBus::Publish(Event event) {
  const bool on_dispatcher = IsDispatcherThread();
  std::unique_lock lock(mu_);
  // The dispatcher is the only consumer: if it waited for room it would wait forever.
  if (!on_dispatcher && accepting_ && queue_.size() >= capacity_) {
    publish_blocked_total_->Add();
    not_full_.wait(lock, [&] { return queue_.size() < capacity_ || !accepting_; });
  }
  // While Stop drains, callbacks may still publish: the dispatcher delivers those too.
  if (!accepting_ && !on_dispatcher) {
    lock.unlock();
    RejectStopped();
    return;
  }
  EnqueueLocked(std::move(event), on_dispatcher);
}

bool EventBus::TryPublish(Event event) {
  const bool on_dispatcher = IsDispatcherThread();
  std::unique_lock lock(mu_);
  if (!accepting_ && !on_dispatcher) {
    lock.unlock();
    RejectStopped();
    return false;
  }
  if (queue_.size() >= capacity_) {
    rejected_full_total_->Add();
    return false;
  }
  EnqueueLocked(std::move(event), on_dispatcher);
  return true;
}

void EventBus::RejectStopped() {
  rejected_stopped_total_->Add();
  // Log the first drop only: a component that keeps publishing after Stop would flood the log,
  // and the counter has the full count.
  if (rejected_stopped_total_->value() == 1) {
    spdlog::warn("event bus: event published after Stop was dropped (counted in {})",
                 metric::kEventBusRejectedTotal.name);
  }
}

void EventBus::Flush() {
  if (IsDispatcherThread()) return;
  std::unique_lock lock(mu_);
  const std::uint64_t mark = next_sequence_ - 1;
  progress_.wait(lock, [&] {
    return dispatcher_done_ || outstanding_roots_.empty() ||
           outstanding_roots_.begin()->first > mark;
  });
}

void EventBus::Stop() {
  {
    std::lock_guard lock(mu_);
    accepting_ = false;
  }
  not_empty_.notify_all();
  not_full_.notify_all();
  // Joining from the dispatcher would deadlock; the destructor joins later.
  if (IsDispatcherThread()) return;
  std::lock_guard join_lock(join_mu_);
  if (dispatcher_.joinable()) dispatcher_.join();
}

std::vector<Event> EventBus::Recent(size_t n, std::string_view topic_pattern) const {
  std::vector<Event> out;
  std::lock_guard lock(recent_mu_);
  for (auto it = recent_.rbegin(); it != recent_.rend() && out.size() < n; ++it) {
    if (TopicMatches(topic_pattern, (*it)->topic)) out.push_back(**it);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

size_t EventBus::queue_depth() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void EventBus::DispatchLoop() {
  dispatcher_id_.store(std::this_thread::get_id(), std::memory_order_release);
  while (true) {
    Queued item;
    {
      std::unique_lock lock(mu_);
      not_empty_.wait(lock, [&] { return !queue_.empty() || !accepting_; });
      if (queue_.empty()) break;  // stopped and drained
      item = std::move(queue_.front());
      queue_.pop_front();
      current_root_ = item.root;
      queue_depth_gauge_->Set(static_cast<double>(queue_.size()));
    }
    not_full_.notify_one();

    // One shared immutable copy serves the ring and every subscriber.
    auto event = std::make_shared<const Event>(std::move(item.event));
    if (recent_capacity_ > 0) {
      std::lock_guard lock(recent_mu_);
      if (recent_.size() == recent_capacity_) recent_.pop_front();
      recent_.push_back(event);
    }
    Deliver(*event);

    {
      std::lock_guard lock(mu_);
      current_root_ = 0;
      auto it = outstanding_roots_.find(item.root);
      if (--it->second == 0) outstanding_roots_.erase(it);
    }
    progress_.notify_all();
  }
  {
    std::lock_guard lock(mu_);
    dispatcher_done_ = true;
  }
  progress_.notify_all();
}

void EventBus::Deliver(const Event& event) {
  std::shared_ptr<const SubscriptionList> subscriptions;
  {
    std::lock_guard lock(subs_mu_);
    subscriptions = subscriptions_;
  }
  for (const std::shared_ptr<Subscription>& subscription : *subscriptions) {
    if (!TopicMatches(subscription->pattern, event.topic)) continue;
    {
      std::lock_guard lock(subs_mu_);
      if (!subscription->active) continue;  // unsubscribed since the snapshot
      running_subscription_ = subscription->id;
    }
    std::optional<std::string> what;
    try {
      subscription->callback(event);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      what = "unknown exception";
    }
    if (what) {
      subscriber_errors_total_->Add();
      // A subscriber that throws on every event must not flood the log: the first ten, then
      // every thousandth; the counter has the full count.
      const std::uint64_t n = subscriber_errors_total_->value();
      if (n <= 10 || n % 1000 == 0) {
        spdlog::error("event bus: subscriber {} ('{}') threw on {} #{} ({} so far): {}",
                      subscription->id, subscription->pattern, event.topic, event.sequence, n,
                      *what);
      }
    }
    {
      std::lock_guard lock(subs_mu_);
      running_subscription_ = 0;
    }
    callback_done_.notify_all();
  }
}

}  // namespace assay::events
