//! The load generator's accounting: what arrived, in what order, and how late.
//!
//! Pure and synchronous so it can be tested without a server. Every bench message carries
//! `(sender, seq, sent_at)`; each receiver keeps one [`Receiver`] and the run folds them into a
//! [`Summary`]. A message is *lost* if it never arrived, *out of order* if it arrived after a
//! later message of the same sender (or twice).

use serde::Serialize;

/// When one delivery was sent and seen, in nanoseconds on the run's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamps {
    pub sent: u64,
    /// When it reached the receiving socket (the kernel's stamp; the read time if there is none).
    pub arrived: u64,
    /// When the load generator read it.
    pub read: u64,
}

/// What one receiving client saw.
///
/// Built for the common case, in-order delivery: a message that is the next one expected from
/// its sender costs a comparison and two counter increments. Only a gap (a message skipped) makes
/// the receiver remember which messages it is still owed, so that a late arrival can be told
/// from a duplicate.
#[derive(Debug, Clone)]
pub struct Receiver {
    /// Messages each sender sends (sequence numbers `0..per_sender`).
    per_sender: usize,
    /// The next sequence number expected from each sender: everything below it arrived or was
    /// skipped over.
    next: Vec<u64>,
    /// Skipped-over messages that have not arrived yet: bit `sender * per_sender + seq`.
    /// Empty until the first gap.
    owed: Vec<u64>,
    /// Distinct messages received, over all senders.
    distinct: u64,
    /// Deliveries, duplicates included.
    deliveries: u64,
    out_of_order: u64,
}

/// Every delivery's latency, for a whole run: one pair of histograms shared by all receivers.
///
/// A latency is recorded once per delivery, so the histograms must stay in the cache. One pair
/// shared by the run is a few KiB that stays hot; a pair per receiver would be a thousand
/// receivers' worth of histograms, each touched rarely and so each a cache miss.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Latencies {
    /// Send to arrival at the socket: the server's latency.
    arrival: Histogram,
    /// Send to read by the load generator: the above plus the load generator's own delay.
    read: Histogram,
}

impl Latencies {
    pub fn record(&mut self, at: Stamps) {
        self.arrival.record(at.arrived.saturating_sub(at.sent));
        self.read.record(at.read.saturating_sub(at.sent));
    }

    pub fn merge(&mut self, other: &Latencies) {
        self.arrival.merge(&other.arrival);
        self.read.merge(&other.read);
    }

    /// Percentiles to the arrival and to the read.
    pub fn percentiles(&self) -> (Latency, Latency) {
        (Latency::of(&self.arrival), Latency::of(&self.read))
    }
}

impl Receiver {
    /// A receiver expecting `per_sender` messages (seq `0..per_sender`) from each of `senders`.
    pub fn new(senders: usize, per_sender: usize) -> Receiver {
        Receiver {
            per_sender,
            next: vec![0; senders],
            owed: Vec::new(),
            distinct: 0,
            deliveries: 0,
            out_of_order: 0,
        }
    }

    /// Record one delivery, its latency in `latencies`. Returns false, counting nothing, for a
    /// sender or sequence number out of range (a malformed or foreign message).
    pub fn record(
        &mut self,
        sender: usize,
        seq: u64,
        at: Stamps,
        latencies: &mut Latencies,
    ) -> bool {
        let senders = self.next.len();
        let per_sender = self.per_sender;
        let Some(next) = self.next.get_mut(sender) else {
            return false;
        };
        if seq >= per_sender as u64 {
            return false;
        }
        if seq == *next {
            *next += 1;
            self.distinct += 1;
        } else if seq > *next {
            // Messages `next..seq` were skipped: owed until they turn up.
            if self.owed.is_empty() {
                self.owed = vec![0; (senders * per_sender).div_ceil(64)];
            }
            let base = sender * per_sender;
            for bit in base + *next as usize..base + seq as usize {
                self.owed[bit / 64] |= 1 << (bit % 64);
            }
            *next = seq + 1;
            self.distinct += 1;
        } else {
            // Late (an earlier message after a later one) or a duplicate.
            self.out_of_order += 1;
            let bit = sender * per_sender + seq as usize;
            if let Some(word) = self.owed.get_mut(bit / 64) {
                let mask = 1u64 << (bit % 64);
                if *word & mask != 0 {
                    *word &= !mask;
                    self.distinct += 1;
                }
            }
        }
        self.deliveries += 1;
        latencies.record(at);
        true
    }

    /// Deliveries recorded so far (duplicates included).
    pub fn deliveries(&self) -> u64 {
        self.deliveries
    }

    /// Distinct messages received from all senders.
    pub fn received_total(&self) -> u64 {
        self.distinct
    }
}

/// Latencies (in nanoseconds) in a log-linear histogram: values below 64 exactly, larger ones
/// within 1/64 (1.6%) of their true value. A run of millions of deliveries then costs one counter
/// increment each and a few KiB per receiver, instead of a vector of every value to sort at the
/// end, which would grow with the run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

/// Buckets per power of two: 2^6 = 64.
const SUB_BITS: u32 = 6;

impl Histogram {
    /// The bucket a value falls in.
    fn index(value: u64) -> usize {
        if value < 1 << SUB_BITS {
            return value as usize;
        }
        let msb = 63 - value.leading_zeros();
        let shift = msb - SUB_BITS;
        // The top SUB_BITS + 1 bits of the value: 64..=127.
        let top = (value >> shift) as usize;
        ((shift as usize) << SUB_BITS) + top
    }

    /// The smallest value in bucket `index`, and the bucket's width.
    fn bounds(index: usize) -> (u64, u64) {
        let sub = 1usize << SUB_BITS;
        if index < 2 * sub {
            return (index as u64, 1);
        }
        let shift = (index >> SUB_BITS) - 1;
        let top = (index & (sub - 1)) + sub;
        ((top as u64) << shift, 1u64 << shift)
    }

    pub fn record(&mut self, value: u64) {
        let i = Histogram::index(value);
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += 1;
        self.total += 1;
        self.max = self.max.max(value);
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    pub fn max(&self) -> u64 {
        self.max
    }

    pub fn merge(&mut self, other: &Histogram) {
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }

    /// The value at quantile `q` (0..=1), nearest-rank method: the middle of the bucket holding
    /// that rank (never more than the largest value seen); 0 for no data.
    pub fn quantile(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (i, &n) in self.counts.iter().enumerate() {
            seen += n;
            if seen >= rank {
                let (low, width) = Histogram::bounds(i);
                return (low + (width - 1) / 2).min(self.max);
            }
        }
        self.max
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

impl Latency {
    fn of(h: &Histogram) -> Latency {
        let us = |ns: u64| ns as f64 / 1000.0;
        Latency {
            p50_us: us(h.quantile(0.50)),
            p90_us: us(h.quantile(0.90)),
            p99_us: us(h.quantile(0.99)),
            max_us: us(h.max()),
        }
    }
}

/// The folded result of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub deliveries: u64,
    pub expected: u64,
    pub lost: u64,
    pub out_of_order: u64,
    /// From send to arrival at the receiving socket.
    pub latency: Latency,
    /// From send to the load generator's read: includes its own delay in getting to the socket.
    pub read_latency: Latency,
}

/// Fold receivers into a summary. `expected_per_receiver[i]` is how many messages receiver `i`
/// should have seen in all (senders don't receive their own messages).
pub fn summarize(
    receivers: &[Receiver],
    expected_per_receiver: &[u64],
    latencies: &Latencies,
) -> Summary {
    let expected: u64 = expected_per_receiver.iter().sum();
    let received: u64 = receivers.iter().map(Receiver::received_total).sum();
    let (latency, read_latency) = latencies.percentiles();
    Summary {
        deliveries: receivers.iter().map(Receiver::deliveries).sum(),
        expected,
        lost: expected.saturating_sub(received),
        out_of_order: receivers.iter().map(|r| r.out_of_order).sum(),
        latency,
        read_latency,
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

/// A decimal number at the start of `bytes` (1 to 19 digits, so it always fits in a `u64`) and
/// what follows. One pass over the digits, with no UTF-8 check and no allocation: like
/// [`Receiver::record`] it runs for every delivery, on the load generator's hottest path.
fn number(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut value = 0u64;
    let mut digits = 0;
    while let Some(&b) = bytes.get(digits) {
        let d = b.wrapping_sub(b'0');
        if d > 9 || digits == 19 {
            break;
        }
        value = value * 10 + u64::from(d);
        digits += 1;
    }
    if digits == 0 || bytes.get(digits).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some((value, &bytes[digits..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A delivery `latency` ns late, read at once.
    fn late(latency: u64) -> Stamps {
        Stamps {
            sent: 0,
            arrived: latency,
            read: latency,
        }
    }

    #[test]
    fn small_values_are_exact_and_large_ones_within_two_percent() {
        for v in [
            0,
            1,
            63,
            64,
            100,
            127,
            128,
            129,
            1000,
            4095,
            1_000_000,
            123_456_789,
            u64::MAX,
        ] {
            let (low, width) = Histogram::bounds(Histogram::index(v));
            assert!(low <= v && v - low < width, "{v}: [{low}, +{width})");
            if v < 128 {
                assert_eq!(width, 1, "{v} is exact");
            } else {
                assert!(width as f64 / low as f64 <= 1.0 / 64.0, "{v}");
            }
        }
        // Buckets are in order: a larger value never lands in an earlier bucket.
        let mut last = 0;
        for v in 0..100_000u64 {
            let i = Histogram::index(v);
            assert!(i >= last, "{v}");
            last = i;
        }
    }

    #[test]
    fn quantiles_nearest_rank() {
        let mut h = Histogram::default();
        for v in 1..=100 {
            h.record(v);
        }
        assert_eq!(h.quantile(0.50), 50);
        assert_eq!(h.quantile(0.90), 90);
        assert_eq!(h.quantile(0.99), 99);
        assert_eq!(h.quantile(1.0), 100);
        assert_eq!(h.quantile(0.0), 1);
        assert_eq!(Histogram::default().quantile(0.5), 0);
        let mut big = Histogram::default();
        for v in 1..=1000u64 {
            big.record(v * 1000);
        }
        let p99 = big.quantile(0.99) as f64;
        assert!((p99 - 990_000.0).abs() / 990_000.0 < 0.02, "{p99}");
        assert_eq!(big.max(), 1_000_000);
        assert!(big.quantile(1.0) <= big.max());
    }

    #[test]
    fn merged_histograms_count_everything() {
        let mut a = Histogram::default();
        let mut b = Histogram::default();
        a.record(5);
        b.record(7);
        b.record(1 << 30);
        a.merge(&b);
        assert_eq!(a.count(), 3);
        assert_eq!(a.max(), 1 << 30);
        assert_eq!(a.quantile(0.5), 7);
    }

    #[test]
    fn in_order_delivery_loses_nothing() {
        let mut l = Latencies::default();
        let mut r = Receiver::new(2, 10);
        for seq in 0..10 {
            assert!(r.record(0, seq, late(1000), &mut l));
            assert!(r.record(1, seq, late(3000), &mut l));
        }
        let s = summarize(&[r], &[20], &l);
        assert_eq!(s.deliveries, 20);
        assert_eq!(s.lost, 0);
        assert_eq!(s.out_of_order, 0);
        assert!(
            (s.latency.p50_us - 1.0).abs() < 0.02,
            "{}",
            s.latency.p50_us
        );
        assert_eq!(s.latency.max_us, 3.0);
    }

    #[test]
    fn gaps_are_losses_and_late_arrivals_are_reordering() {
        let mut l = Latencies::default();
        let mut r = Receiver::new(1, 5);
        r.record(0, 0, late(1), &mut l);
        r.record(0, 2, late(1), &mut l); // 1 skipped ...
        r.record(0, 1, late(1), &mut l); // ... and arrives late: out of order, but it did arrive
        r.record(0, 2, late(1), &mut l); // a duplicate is out of order too
        r.record(0, 4, late(1), &mut l); // 3 never arrives
        let s = summarize(&[r], &[5], &l);
        assert_eq!(s.out_of_order, 2);
        assert_eq!(s.lost, 1);
        assert_eq!(s.deliveries, 5);
    }

    #[test]
    fn a_duplicate_of_an_in_order_message_is_not_a_new_one() {
        let mut l = Latencies::default();
        let mut r = Receiver::new(2, 3);
        r.record(0, 0, late(1), &mut l);
        r.record(0, 0, late(1), &mut l);
        r.record(1, 2, late(1), &mut l); // 0 and 1 owed by sender 1
        r.record(1, 0, late(1), &mut l);
        r.record(1, 0, late(1), &mut l);
        let s = summarize(&[r], &[6], &l);
        // Sender 0: seq 0 (twice); sender 1: 2 and 0 (twice). Missing: 0/1, 0/2, 1/1.
        assert_eq!(s.lost, 3);
        assert_eq!(s.out_of_order, 3);
        assert_eq!(s.deliveries, 5);
    }

    #[test]
    fn arrival_and_read_latencies_are_kept_apart() {
        let mut l = Latencies::default();
        let mut r = Receiver::new(1, 2);
        let at = |sent, arrived, read| Stamps {
            sent,
            arrived,
            read,
        };
        r.record(0, 0, at(1_000, 2_000, 9_000), &mut l);
        r.record(0, 1, at(5_000, 7_000, 9_000), &mut l);
        let s = summarize(&[r], &[2], &l);
        assert_eq!(s.latency.max_us, 2.0);
        assert_eq!(s.read_latency.max_us, 8.0);
        assert!(
            (s.read_latency.p50_us - 4.0).abs() < 0.1,
            "{:?}",
            s.read_latency
        );
    }

    #[test]
    fn foreign_senders_are_ignored() {
        let mut l = Latencies::default();
        let mut r = Receiver::new(1, 3);
        assert!(!r.record(5, 0, late(1), &mut l));
        assert!(!r.record(0, 3, late(1), &mut l));
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
        assert_eq!(decode_payload(b"bench 1 2 12345678901234567890"), None);
        assert_eq!(
            decode_payload(b"bench 1 2 1234567890123456789"),
            Some((1, 2, 1_234_567_890_123_456_789))
        );
        assert_eq!(decode_payload(b"bench 1 2 "), None);
        assert_eq!(decode_payload(b"bench 1 2 3x"), None);
    }
}
