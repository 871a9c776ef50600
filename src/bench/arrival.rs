//! When bench lines arrived: the kernel's receive timestamp, not the moment the load generator
//! got round to reading them.
//!
//! The load generator serves a thousand sockets from one thread. A line that reached socket 999
//! waits in its receive queue while sockets 1 to 998 are read, and a clock read after `read`
//! charges that wait to the server. With `SO_TIMESTAMPNS` the kernel stamps every segment as it
//! is queued on the receiving socket, and `recvmsg` hands the stamp back (for TCP: the newest
//! segment the read took, so the lines in one read are never stamped earlier than they arrived).
//! Latency measured to that stamp is what a client with a core of its own would have seen, as
//! long as each read takes one segment. A load generator that falls behind takes several in one
//! read, and the older ones' lines are then charged up to a whole server write interval late: the
//! report flags such runs (see `GeneratorUsage`).
//!
//! The stamp is on the wall clock (`CLOCK_REALTIME`); [`RunClock`] puts it on the run's
//! monotonic clock, the one send times are taken on.

use std::io::{self, IoSliceMut};
use std::os::fd::AsRawFd;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use nix::sys::socket::{ControlMessageOwned, MsgFlags, recvmsg, setsockopt, sockopt};
use nix::sys::time::TimeSpec;
use tokio::io::Interest;
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedReadHalf;

/// The run's clock: nanoseconds since the run began, for send times, reads and arrivals alike.
#[derive(Debug, Clone, Copy)]
pub struct RunClock {
    base: Instant,
    /// The wall clock at `base`, in nanoseconds since the epoch.
    wall_base_ns: i128,
}

impl RunClock {
    pub fn start() -> RunClock {
        let base = Instant::now();
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        RunClock {
            base,
            wall_base_ns: wall.as_nanos() as i128,
        }
    }

    pub fn now_ns(&self) -> u64 {
        self.base.elapsed().as_nanos() as u64
    }

    pub fn base(&self) -> Instant {
        self.base
    }

    /// A kernel wall-clock stamp on the run's clock (0 if it predates the run).
    fn wall_to_run(&self, ts: TimeSpec) -> u64 {
        let wall = i128::from(ts.tv_sec()) * 1_000_000_000 + i128::from(ts.tv_nsec());
        u64::try_from(wall - self.wall_base_ns).unwrap_or(0)
    }
}

/// Ask the kernel to stamp what arrives on `stream`.
pub fn stamp_arrivals(stream: &TcpStream) -> io::Result<()> {
    setsockopt(stream, sockopt::ReceiveTimestampns, &true).map_err(io::Error::from)
}

/// Read once into `buf`; the count and, if the kernel stamped it, when the data arrived on the
/// run's clock.
pub async fn read(
    rd: &OwnedReadHalf,
    buf: &mut [u8],
    clock: &RunClock,
) -> io::Result<(usize, Option<u64>)> {
    // Room for one SCM_TIMESTAMPNS message.
    let mut control = nix::cmsg_space!(libc::timespec);
    let stream: &TcpStream = rd.as_ref();
    loop {
        stream.readable().await?;
        let mut short = None;
        let room = buf.len();
        let got = stream.try_io(Interest::READABLE, || {
            let mut iov = [IoSliceMut::new(buf)];
            let msg = recvmsg::<()>(
                stream.as_raw_fd(),
                &mut iov,
                Some(&mut control),
                MsgFlags::empty(),
            )
            .map_err(io::Error::from)?;
            let stamp = msg.cmsgs().ok().and_then(|mut cmsgs| {
                cmsgs.find_map(|c| match c {
                    ControlMessageOwned::ScmTimestampns(ts) => Some(clock.wall_to_run(ts)),
                    _ => None,
                })
            });
            if msg.bytes > 0 && msg.bytes < room {
                // A short read emptied the receive queue. Handing that back as `WouldBlock`
                // makes tokio forget the readiness now, instead of after one more `recvmsg`
                // that could only fail with EAGAIN; data arriving meanwhile is a new event.
                short = Some((msg.bytes, stamp));
                return Err(io::ErrorKind::WouldBlock.into());
            }
            Ok((msg.bytes, stamp))
        });
        match (got, short) {
            (_, Some(read)) => return Ok(read),
            (Err(e), None) if e.kind() == io::ErrorKind::WouldBlock => continue,
            (other, None) => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_stamps_land_on_the_run_clock() {
        let clock = RunClock {
            base: Instant::now(),
            wall_base_ns: 1_700_000_000_000_000_000,
        };
        let at = |sec: i64, nsec: i64| clock.wall_to_run(TimeSpec::new(sec, nsec));
        assert_eq!(at(1_700_000_000, 0), 0);
        assert_eq!(at(1_700_000_002, 500), 2_000_000_500);
        // A stamp from before the run (a segment that arrived during the login) counts as 0.
        assert_eq!(at(1_699_999_999, 0), 0);
    }

    /// A short read forgets the socket's readiness; what arrives afterwards must still wake the
    /// next read, and a full buffer leaves the rest readable.
    #[tokio::test]
    async fn reads_after_a_short_read_still_wake() {
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (client, accepted) = tokio::join!(TcpStream::connect(addr), listener.accept());
        let (mut peer, _) = accepted.unwrap();
        let client = client.unwrap();
        stamp_arrivals(&client).unwrap();
        let (rd, _wr) = client.into_split();
        let clock = RunClock::start();
        let mut buf = [0u8; 4];
        let within = std::time::Duration::from_secs(10);
        for round in 0..3u8 {
            peer.write_all(&[b'a' + round, b'\n']).await.unwrap();
            // (The kernel turns stamping on asynchronously, so the first segments may come
            // without a stamp: not checked here.)
            let (n, _) = tokio::time::timeout(within, read(&rd, &mut buf, &clock))
                .await
                .expect("the read after a short read never woke")
                .unwrap();
            assert_eq!(&buf[..n], &[b'a' + round, b'\n']);
        }
        // More than the buffer holds: two reads, the second after a full one.
        peer.write_all(b"123456").await.unwrap();
        let mut got = Vec::new();
        while got.len() < 6 {
            let (n, _) = tokio::time::timeout(within, read(&rd, &mut buf, &clock))
                .await
                .expect("the rest was not read")
                .unwrap();
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"123456");
    }
}
