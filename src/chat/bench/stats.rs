//! The load generator's accounting: what arrived, in what order, and how late.
//!
//! Pure and synchronous so it can be tested without a server. Every bench message carries
//! `(sender, seq, sent_at)`; each receiver keeps one [`Receiver`] and the run folds them into a
//! [`Summary`]. A message is *lost* if it never arrived, *out of order* if it arrived after a
//! later message of the same sender (or twice).

use serde::Serialize;

/// What one receiving client saw.
#[derive(Debug, Clone)]
pub struct Receiver {
    /// Highest sequence number seen from each sender (`None`: nothing yet).
    last_seq: Vec<Option<u64>>,
    /// Which sequence numbers of each sender have arrived at least once.
    seen: Vec<Vec<bool>>,
    /// Distinct messages received, over all senders.
    distinct: u64,
    /// Latency of every delivery, in nanoseconds.
    latencies_ns: Vec<u64>,
    out_of_order: u64,
}

impl Receiver {
    /// A receiver expecting `per_sender` messages (seq `0..per_sender`) from each of `senders`.
    pub fn new(senders: usize, per_sender: usize) -> Receiver {
        Receiver {
            last_seq: vec![None; senders],
            seen: vec![vec![false; per_sender]; senders],
            distinct: 0,
            latencies_ns: Vec::new(),
            out_of_order: 0,
        }
    }

    /// Record one delivery. Returns false, counting nothing, for a sender or sequence number out
    /// of range (a malformed or foreign message).
    pub fn record(&mut self, sender: usize, seq: u64, latency_ns: u64) -> bool {
        let Some(seen) = self
            .seen
            .get_mut(sender)
            .and_then(|s| s.get_mut(usize::try_from(seq).ok()?))
        else {
            return false;
        };
        if !*seen {
            *seen = true;
            self.distinct += 1;
        }
        let last = &mut self.last_seq[sender];
        match *last {
            // Late (an earlier message after a later one) or a duplicate.
            Some(prev) if seq <= prev => self.out_of_order += 1,
            _ => *last = Some(seq),
        }
        self.latencies_ns.push(latency_ns);
        true
    }

    /// Deliveries recorded so far (duplicates included).
    pub fn deliveries(&self) -> u64 {
        self.latencies_ns.len() as u64
    }

    /// Distinct messages received from all senders.
    pub fn received_total(&self) -> u64 {
        self.distinct
    }
}

/// Latency percentiles in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Latency {
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
}

/// The folded result of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub deliveries: u64,
    pub expected: u64,
    pub lost: u64,
    pub out_of_order: u64,
    pub latency: Latency,
}

/// The value at quantile `q` (0..=1) of sorted data, nearest-rank method; 0 for no data.
pub fn percentile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Fold receivers into a summary. `expected_per_receiver[i]` is how many messages receiver `i`
/// should have seen in all (senders don't receive their own messages).
pub fn summarize(receivers: &[Receiver], expected_per_receiver: &[u64]) -> Summary {
    let mut all: Vec<u64> = receivers
        .iter()
        .flat_map(|r| r.latencies_ns.iter().copied())
        .collect();
    all.sort_unstable();
    let us = |ns: u64| ns as f64 / 1000.0;
    let expected: u64 = expected_per_receiver.iter().sum();
    let received: u64 = receivers.iter().map(Receiver::received_total).sum();
    Summary {
        deliveries: all.len() as u64,
        expected,
        lost: expected.saturating_sub(received),
        out_of_order: receivers.iter().map(|r| r.out_of_order).sum(),
        latency: Latency {
            p50_us: us(percentile(&all, 0.50)),
            p90_us: us(percentile(&all, 0.90)),
            p99_us: us(percentile(&all, 0.99)),
            max_us: us(all.last().copied().unwrap_or(0)),
        },
    }
}

/// The text of a bench message: `bench <sender> <seq> <sent_ns>`; easy to spot among chat noise.
pub fn encode_payload(sender: usize, seq: u64, sent_ns: u64) -> String {
    format!("bench {sender} {seq} {sent_ns}")
}

/// Parse a bench message's text back; `None` for anything else. Works on bytes: it runs once per
/// delivery, millions of times a run.
pub fn decode_payload(text: &[u8]) -> Option<(usize, u64, u64)> {
    let rest = text.strip_prefix(b"bench ")?;
    let (sender, rest) = number(rest)?;
    let rest = rest.strip_prefix(b" ")?;
    let (seq, rest) = number(rest)?;
    let rest = rest.strip_prefix(b" ")?;
    let (sent, rest) = number(rest)?;
    if !rest.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    Some((usize::try_from(sender).ok()?, seq, sent))
}

/// A decimal number at the start of `bytes` (at least one digit, no overflow) and what follows.
fn number(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let mut value: u64 = 0;
    for &d in &bytes[..digits] {
        value = value.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some((value, &bytes[digits..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_nearest_rank() {
        let data: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&data, 0.50), 50);
        assert_eq!(percentile(&data, 0.90), 90);
        assert_eq!(percentile(&data, 0.99), 99);
        assert_eq!(percentile(&data, 1.0), 100);
        assert_eq!(percentile(&data, 0.0), 1);
        assert_eq!(percentile(&[7], 0.99), 7);
        assert_eq!(percentile(&[], 0.5), 0);
    }

    #[test]
    fn in_order_delivery_loses_nothing() {
        let mut r = Receiver::new(2, 10);
        for seq in 0..10 {
            assert!(r.record(0, seq, 1000));
            assert!(r.record(1, seq, 3000));
        }
        let s = summarize(&[r], &[20]);
        assert_eq!(s.deliveries, 20);
        assert_eq!(s.lost, 0);
        assert_eq!(s.out_of_order, 0);
        assert_eq!(s.latency.p50_us, 1.0);
        assert_eq!(s.latency.max_us, 3.0);
    }

    #[test]
    fn gaps_are_losses_and_late_arrivals_are_reordering() {
        let mut r = Receiver::new(1, 5);
        r.record(0, 0, 1);
        r.record(0, 2, 1); // 1 skipped ...
        r.record(0, 1, 1); // ... and arrives late: out of order, but it did arrive
        r.record(0, 2, 1); // a duplicate is out of order too
        r.record(0, 4, 1); // 3 never arrives
        let s = summarize(&[r], &[5]);
        assert_eq!(s.out_of_order, 2);
        assert_eq!(s.lost, 1);
        assert_eq!(s.deliveries, 5);
    }

    #[test]
    fn foreign_senders_are_ignored() {
        let mut r = Receiver::new(1, 3);
        assert!(!r.record(5, 0, 1));
        assert!(!r.record(0, 3, 1));
        assert_eq!(r.deliveries(), 0);
    }

    #[test]
    fn payload_round_trips_and_rejects_noise() {
        let text = encode_payload(3, 42, 123_456_789);
        assert_eq!(decode_payload(text.as_bytes()), Some((3, 42, 123_456_789)));
        assert_eq!(decode_payload(b"bench 3 42 123\r"), Some((3, 42, 123)));
        assert_eq!(decode_payload(b"hello"), None);
        assert_eq!(decode_payload(b"bench 1 2"), None);
        assert_eq!(decode_payload(b"bench 1 2 3 4"), None);
        assert_eq!(decode_payload(b"bench x 2 3"), None);
        assert_eq!(decode_payload(b"bench 1  2 3"), None);
        assert_eq!(decode_payload(b"bench -1 2 3"), None);
        assert_eq!(decode_payload(b"bench 1 2 99999999999999999999999"), None);
    }
}
