//! From a nice value to a share of the CPU, and to the numbers `top` and `ps` print (pure).
//!
//! Linux's fair scheduler (CFS, and EEVDF since 6.6) does not give "priority 9" a time slot of its
//! own. It turns each nice value into a *weight* and shares a CPU among the runnable tasks in
//! proportion to their weights. The weights are the kernel's table `sched_prio_to_weight`
//! (`kernel/sched/core.c`): nice 0 is 1024, and each step multiplies by about 1.25, so one nice step
//! moves about 10% of the CPU between two competing tasks. That is why a nice-0 and a nice-9 loop on
//! the same CPU end up near 88% / 12%: 1024 / (1024 + 137) = 0.88.
//!
//! The same nice value has three spellings on screen, which is the usual source of confusion:
//! - `NI` (nice), -20..19, what `nice` and `renice` change;
//! - `PR` as `top` shows it, `20 + nice` (0..39 for normal tasks), also field 18 of
//!   `/proc/PID/stat`; lower means more important. `toolkit ps` uses this convention;
//! - `PRI` as `ps -o pri` shows it, `39 - PR` (= `19 - nice`); there *higher* means more important.

/// The lowest nice value (most favoured).
pub const NICE_MIN: i64 = -20;
/// The highest nice value (least favoured).
pub const NICE_MAX: i64 = 19;

/// The kernel's `sched_prio_to_weight`, indexed by `nice + 20`.
const WEIGHTS: [u32; 40] = [
    /* -20 */ 88761, 71755, 56483, 46273, 36291, //
    /* -15 */ 29154, 23254, 18705, 14949, 11916, //
    /* -10 */ 9548, 7620, 6100, 4904, 3906, //
    /*  -5 */ 3121, 2501, 1991, 1586, 1277, //
    /*   0 */ 1024, 820, 655, 526, 423, //
    /*   5 */ 335, 272, 215, 172, 137, //
    /*  10 */ 110, 87, 70, 56, 45, //
    /*  15 */ 36, 29, 23, 18, 15, //
];

/// A nice value forced into the range the kernel accepts, as `setpriority(2)` does.
pub fn clamp_nice(nice: i64) -> i64 {
    nice.clamp(NICE_MIN, NICE_MAX)
}

/// The scheduler weight of a nice value (clamped to -20..19 first).
pub fn weight_of(nice: i64) -> u32 {
    WEIGHTS[(clamp_nice(nice) - NICE_MIN) as usize]
}

/// The priority `top` shows in its PR column (and `/proc/PID/stat` field 18): `20 + nice`.
pub fn top_pr(nice: i64) -> i64 {
    20 + clamp_nice(nice)
}

/// The priority `ps -o pri` shows: `39 - PR`, so higher means more important there.
pub fn ps_pri(nice: i64) -> i64 {
    39 - top_pr(nice)
}

/// The CPU shares (in percent, summing to 100) the scheduler aims for when tasks of these nice
/// values compete for one CPU and never sleep.
pub fn predicted_percent(nices: &[i64]) -> Vec<f64> {
    let total: f64 = nices.iter().map(|&n| f64::from(weight_of(n))).sum();
    nices
        .iter()
        .map(|&n| 100.0 * f64::from(weight_of(n)) / total)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_kernel_landmarks() {
        assert_eq!(weight_of(-20), 88761);
        assert_eq!(weight_of(0), 1024);
        assert_eq!(weight_of(9), 137);
        assert_eq!(weight_of(19), 15);
        // Out of range clamps, as the kernel does.
        assert_eq!(weight_of(-100), 88761);
        assert_eq!(weight_of(100), 15);
    }

    #[test]
    fn each_step_is_about_a_quarter() {
        for nice in NICE_MIN..NICE_MAX {
            let ratio = f64::from(weight_of(nice)) / f64::from(weight_of(nice + 1));
            assert!((1.2..1.3).contains(&ratio), "nice {nice}: ratio {ratio}");
        }
    }

    #[test]
    fn nine_against_zero_is_88_to_12() {
        let shares = predicted_percent(&[0, 9]);
        assert!((shares[0] - 88.2).abs() < 0.1, "{shares:?}");
        assert!((shares[1] - 11.8).abs() < 0.1, "{shares:?}");
        assert!((shares.iter().sum::<f64>() - 100.0).abs() < 1e-9);
        assert_eq!(predicted_percent(&[5, 5]), [50.0, 50.0]);
    }

    #[test]
    fn one_step_moves_about_ten_percent() {
        let shares = predicted_percent(&[0, 1]);
        assert!((shares[0] - shares[1] - 10.0).abs() < 1.5, "{shares:?}");
    }

    #[test]
    fn the_three_spellings_of_a_priority() {
        assert_eq!((top_pr(0), ps_pri(0)), (20, 19));
        assert_eq!((top_pr(9), ps_pri(9)), (29, 10));
        assert_eq!((top_pr(-20), ps_pri(-20)), (0, 39));
        assert_eq!((top_pr(19), ps_pri(19)), (39, 0));
    }
}
