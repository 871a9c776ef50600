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
//! monotonic clock, the one send times are taken on. It does so by the stamp's age, read on the
//! wall clock the moment the stamp is handed over: the two clocks do not keep one offset over a
//! run. Time service slews the wall clock (on this project's VM it once ran 0.5% fast, 5 ms a
//! second), so an offset taken when the run began put the stamps of a 20 s run up to 100 ms
//! late, while an age of a few milliseconds is off by microseconds at most.

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
}

impl RunClock {
    pub fn start() -> RunClock {
        RunClock {
            base: Instant::now(),
        }
    }

    pub fn now_ns(&self) -> u64 {
        self.base.elapsed().as_nanos() as u64
    }

    pub fn base(&self) -> Instant {
        self.base
    }

    /// A kernel wall-clock stamp on the run's clock (0 if it predates the run): now on the run's
    /// clock, less the stamp's age on the wall clock.
    fn wall_to_run(&self, ts: TimeSpec) -> u64 {
        let wall_now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128);
        let stamp = i128::from(ts.tv_sec()) * 1_000_000_000 + i128::from(ts.tv_nsec());
        stamp_on_run(stamp, wall_now, self.now_ns())
    }
}

/// A stamp taken at `stamp` on the wall clock, seen at `wall_now` on the wall clock and `run_now`
/// on the run's clock: when it was on the run's clock (0 if before the run began). A stamp from
/// the wall clock's future (the clock was stepped back) counts as arriving now.
fn stamp_on_run(stamp: i128, wall_now: i128, run_now: u64) -> u64 {
    let age = u64::try_from(wall_now - stamp).unwrap_or(0);
    run_now.saturating_sub(age)
}

/// Ask the kernel to stamp what arrives on `stream`.
pub fn stamp_arrivals(stream: &TcpStream) -> io::Result<()> {
    setsockopt(stream, sockopt::ReceiveTimestampns, &true).map_err(io::Error::from)
}

/// One `recvmsg` into `buf` (for inside `try_io`): the count and the kernel's stamp, if any, on
/// the run's clock.
fn recv_stamped(
    stream: &TcpStream,
    buf: &mut [u8],
    clock: &RunClock,
) -> io::Result<(usize, Option<u64>)> {
    // Room for one SCM_TIMESTAMPNS message.
    let mut control = nix::cmsg_space!(libc::timespec);
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
    Ok((msg.bytes, stamp))
}

/// Read once into `buf`; the count and, if the kernel stamped it, when the data arrived on the
/// run's clock.
pub async fn read(
    rd: &OwnedReadHalf,
    buf: &mut [u8],
    clock: &RunClock,
) -> io::Result<(usize, Option<u64>)> {
    let stream: &TcpStream = rd.as_ref();
    loop {
        stream.readable().await?;
        let mut short = None;
        let room = buf.len();
        let got = stream.try_io(Interest::READABLE, || {
            let (bytes, stamp) = recv_stamped(stream, buf, clock)?;
            if bytes > 0 && bytes < room {
                // A short read emptied the receive queue. Handing that back as `WouldBlock`
                // makes tokio forget the readiness now, instead of after one more `recvmsg`
                // that could only fail with EAGAIN; data arriving meanwhile is a new event.
                short = Some((bytes, stamp));
                return Err(io::ErrorKind::WouldBlock.into());
            }
            Ok((bytes, stamp))
        });
        match (got, short) {
            (_, Some(read)) => return Ok(read),
            (Err(e), None) if e.kind() == io::ErrorKind::WouldBlock => continue,
            (other, None) => return other,
        }
    }
}

/// A TCP stream whose reads keep the kernel's arrival stamp: for a client whose library reads
/// the socket itself (the WebSocket clients: tungstenite reads through this). After the library
/// hands back a frame, [`last`] gives the stamp of the read that completed it, or nothing if
/// that read had none (the caller then takes the time of its read), as for a TCP client's line.
pub struct Stamped {
    stream: TcpStream,
    clock: RunClock,
    last: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// Where a [`Stamped`] stream leaves its newest stamp (0: none yet).
pub type LastStamp = std::sync::Arc<std::sync::atomic::AtomicU64>;

impl Stamped {
    /// Turns stamping on for `stream`.
    pub fn new(stream: TcpStream, clock: RunClock) -> io::Result<(Stamped, LastStamp)> {
        stamp_arrivals(&stream)?;
        let last = LastStamp::default();
        let stamped = Stamped {
            stream,
            clock,
            last: std::sync::Arc::clone(&last),
        };
        Ok((stamped, last))
    }
}

/// The stamp of a [`Stamped`] stream's latest read, if it had one.
pub fn last(stamp: &LastStamp) -> Option<u64> {
    match stamp.load(std::sync::atomic::Ordering::Relaxed) {
        0 => None,
        at => Some(at),
    }
}

impl tokio::io::AsyncRead for Stamped {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        use std::task::Poll;
        let this = self.get_mut();
        loop {
            if let Err(e) = std::task::ready!(this.stream.poll_read_ready(cx)) {
                return Poll::Ready(Err(e));
            }
            let room = buf.initialize_unfilled();
            let got = this.stream.try_io(Interest::READABLE, || {
                recv_stamped(&this.stream, room, &this.clock)
            });
            match got {
                Ok((n, stamp)) => {
                    if n > 0 {
                        // Every read replaces the stamp, so a frame is never timed from an
                        // earlier read's. 0 is "none": no stamp, or one from before the run.
                        this.last
                            .store(stamp.unwrap_or(0), std::sync::atomic::Ordering::Relaxed);
                    }
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl tokio::io::AsyncWrite for Stamped {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<io::Result<usize>> {
        std::pin::Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_stamps_land_on_the_run_clock() {
        let wall_now = 1_700_000_010_000_000_000;
        // 10 s into the run, a stamp 2.5 ms old arrived at 9.9975 s.
        assert_eq!(
            stamp_on_run(wall_now - 2_500_000, wall_now, 10_000_000_000),
            9_997_500_000
        );
        // Only the age counts, not what the wall clock read when the run began: a wall clock
        // that ran fast since then moves the stamp by nothing.
        assert_eq!(
            stamp_on_run(wall_now, wall_now, 10_000_000_000),
            10_000_000_000
        );
        // A stamp from before the run (a segment that arrived during the login) counts as 0.
        assert_eq!(
            stamp_on_run(wall_now - 11_000_000_000, wall_now, 10_000_000_000),
            0
        );
        // From the wall clock's future (the clock stepped back): now.
        assert_eq!(stamp_on_run(wall_now + 5, wall_now, 7), 7);
        // A stamp taken this moment lands at this moment on the run's clock.
        let clock = RunClock::start();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        let ts = TimeSpec::new(now.as_secs() as i64, i64::from(now.subsec_nanos()));
        let at = clock.wall_to_run(ts);
        let run_now = clock.now_ns();
        assert!(
            at <= run_now && run_now - at < 5_000_000,
            "{at} against {run_now}"
        );
        assert!(
            at >= 20_000_000,
            "{at}: before the 20 ms the run has lasted"
        );
    }

    /// A client socket on loopback and the server's end of it.
    async fn connected() -> (TcpStream, TcpStream) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (client, accepted) = tokio::join!(TcpStream::connect(addr), listener.accept());
        (client.unwrap(), accepted.unwrap().0)
    }

    /// A short read forgets the socket's readiness; what arrives afterwards must still wake the
    /// next read, and a full buffer leaves the rest readable.
    #[tokio::test]
    async fn reads_after_a_short_read_still_wake() {
        use tokio::io::AsyncWriteExt;
        let (client, mut peer) = connected().await;
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

    /// What a library reads through [`Stamped`] arrives whole, a read that has to wait is woken,
    /// and every read replaces the stamp with its own, on the run's clock.
    #[tokio::test]
    async fn a_stamped_stream_keeps_the_stamp_of_its_reads() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (client, mut peer) = connected().await;
        let clock = RunClock::start();
        let (mut stamped, stamp) = Stamped::new(client, clock).unwrap();
        let within = std::time::Duration::from_secs(10);
        // The wall clock and the run's clock were read a moment apart: allow them 5 ms.
        let slack = 5_000_000;
        let mut buf = [0u8; 16];
        let mut stamps = Vec::new();
        // The kernel turns stamping on asynchronously: the first segments may carry no stamp.
        for round in 0..200u8 {
            let line = [b'a' + round % 26, b'\n'];
            // The read starts first and has to wait for the line (the last read left the
            // socket's readiness set, so this one first meets EAGAIN and must wait again).
            let before = clock.now_ns();
            // A task of its own writes the line, so that only the stream's own wake-up can
            // finish the read.
            let writer = tokio::spawn(async move {
                tokio::time::sleep(std::time::Duration::from_millis(30)).await;
                peer.write_all(&line).await.unwrap();
                peer
            });
            // The deadline is looked at first: a read left without a wake-up must not be
            // rescued by the deadline's own wake-up.
            let n = tokio::select! {
                biased;
                _ = tokio::time::sleep(within) => panic!("a read that waited was never woken"),
                read = stamped.read(&mut buf) => read.unwrap(),
            };
            peer = writer.await.unwrap();
            let after = clock.now_ns();
            assert_eq!(&buf[..n], &line);
            if let Some(at) = last(&stamp) {
                // Stamped when the line came, not when the read began or ended.
                assert!(
                    at + slack >= before + 30_000_000,
                    "{at} before the line was sent"
                );
                assert!(
                    at <= after + slack,
                    "{at} after the read returned ({after})"
                );
                stamps.push(at);
                if stamps.len() == 2 {
                    break;
                }
            }
        }
        assert_eq!(stamps.len(), 2, "the reads were never stamped");
        assert!(
            stamps[1] > stamps[0],
            "the second read kept the first one's stamp"
        );
        // Writes go through to the peer.
        stamped.write_all(b"back\n").await.unwrap();
        let mut back = [0u8; 5];
        peer.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"back\n");
    }
}
