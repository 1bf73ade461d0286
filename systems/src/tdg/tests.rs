use proptest::prelude::*;

use super::*;

fn inputs(values: [u32; 5], dead_symbol_ratio: f32, churn: u32) -> Inputs {
    let [cyclomatic, cognitive, max_nesting, loc, params] = values;
    Inputs {
        cyclomatic,
        cognitive,
        max_nesting,
        loc,
        params,
        dead_symbol_ratio,
        churn,
    }
}

/// The worked example of docs/tdg.md.
#[test]
fn worked_example_matches_docs() {
    let example = inputs([12, 18, 3, 60, 4], 0.0, 6);
    // 0.24 + 0.36 + 0.225 + 0.12 + 0.075 + 0 + 0.09
    let score = tdg(&example);
    assert!((score - 1.11).abs() < 1e-6, "{score}");
    // The same function in a file with a quarter of its symbols dead: + 0.15 × 0.25.
    let dead = tdg(&Inputs {
        dead_symbol_ratio: 0.25,
        ..example
    });
    assert!((dead - 1.1475).abs() < 1e-6, "{dead}");
    // Every input at or beyond its cap: the maximum.
    let worst = tdg(&inputs([30, 45, 6, 150, 8], 1.0, 30));
    assert_eq!(worst, MAX_SCORE);
}

#[test]
fn trivial_function_scores_low_and_empty_scores_zero() {
    assert_eq!(tdg(&Inputs::default()), 0.0);
    // fn f() { 1 }: cyclomatic 1, one line, nothing else.
    let trivial = tdg(&inputs([1, 0, 0, 1, 0], 0.0, 0));
    assert!(trivial > 0.0 && trivial < 0.03, "{trivial}");
}

#[test]
fn weights_add_up_to_the_maximum() {
    let sum = CYCLOMATIC_POINTS
        + COGNITIVE_POINTS
        + MAX_NESTING_POINTS
        + LOC_POINTS
        + PARAMS_POINTS
        + DEAD_SYMBOL_POINTS
        + CHURN_POINTS;
    assert!((sum - MAX_SCORE).abs() < 1e-6, "{sum}");
}

#[test]
fn saturates_at_each_cap() {
    let base = inputs([3, 4, 1, 20, 2], 0.1, 2);
    let caps = [
        CYCLOMATIC_CAP,
        COGNITIVE_CAP,
        MAX_NESTING_CAP,
        LOC_CAP,
        PARAMS_CAP,
        DEAD_SYMBOL_RATIO_CAP,
        CHURN_CAP,
    ];
    for (input, cap) in caps.into_iter().enumerate() {
        let at = |x: f32| tdg(&with(base, input, x));
        let at_cap = at(cap);
        assert!(
            at_cap > tdg(&base),
            "input {input} must count below its cap"
        );
        assert!(at(cap - 1.0_f32.min(cap / 2.0)) < at_cap, "input {input}");
        for beyond in [cap + 1.0, cap * 10.0, 1e9] {
            assert_eq!(at(beyond), at_cap, "input {input} beyond its cap");
        }
    }
    // Extreme values everywhere still give the maximum, never more.
    let extreme = inputs([u32::MAX; 5], f32::INFINITY, u32::MAX);
    assert_eq!(tdg(&extreme), MAX_SCORE);
}

#[test]
fn dead_symbol_ratio_outside_its_range_is_clamped() {
    let base = inputs([5, 5, 2, 30, 2], 0.0, 3);
    let at = |d: f32| {
        tdg(&Inputs {
            dead_symbol_ratio: d,
            ..base
        })
    };
    assert_eq!(at(-1.0), at(0.0));
    assert_eq!(at(-0.0), at(0.0));
    assert_eq!(at(f32::NAN), at(0.0));
    assert_eq!(at(f32::NEG_INFINITY), at(0.0));
    assert_eq!(at(7.0), at(1.0));
    assert_eq!(at(f32::INFINITY), at(1.0));
}

/// `base` with input number `input` (table order) set to `x`.
fn with(mut base: Inputs, input: usize, x: f32) -> Inputs {
    let count = x.min(u32::MAX as f32) as u32;
    match input {
        0 => base.cyclomatic = count,
        1 => base.cognitive = count,
        2 => base.max_nesting = count,
        3 => base.loc = count,
        4 => base.params = count,
        5 => base.dead_symbol_ratio = x,
        _ => base.churn = count,
    }
    base
}

fn arb_inputs() -> impl Strategy<Value = Inputs> {
    // Mostly realistic values, sometimes anything.
    let count = prop_oneof![4 => 0u32..200, 1 => any::<u32>()];
    let ratio = prop_oneof![
        4 => 0.0f32..=1.0,
        1 => any::<f32>(),
    ];
    (
        [
            count.clone(),
            count.clone(),
            count.clone(),
            count.clone(),
            count.clone(),
        ],
        ratio,
        count,
    )
        .prop_map(|(values, dead, churn)| inputs(values, dead, churn))
}

fn columns_of(rows: &[Inputs]) -> [Vec<u32>; 6] {
    let col = |f: fn(&Inputs) -> u32| rows.iter().map(f).collect::<Vec<u32>>();
    [
        col(|r| r.cyclomatic),
        col(|r| r.cognitive),
        col(|r| r.max_nesting),
        col(|r| r.loc),
        col(|r| r.params),
        col(|r| r.churn),
    ]
}

fn run(backend: Backend, rows: &[Inputs]) -> Vec<f32> {
    let [cyc, cog, nest, loc, params, churn] = columns_of(rows);
    let dead: Vec<f32> = rows.iter().map(|r| r.dead_symbol_ratio).collect();
    let columns = Columns {
        cyclomatic: &cyc,
        cognitive: &cog,
        max_nesting: &nest,
        loc: &loc,
        params: &params,
        dead_symbol_ratio: &dead,
        churn: &churn,
    };
    let mut out = vec![f32::NAN; rows.len()];
    tdg_batch_on(backend, &columns, &mut out);
    out
}

#[test]
fn detection_picks_the_simd_backend_of_this_cpu() {
    let backend = Backend::detect();
    assert!(backend.is_available());
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        assert_eq!(backend, Backend::Avx2);
    }
    #[cfg(target_arch = "aarch64")]
    assert_eq!(backend, Backend::Neon);
    eprintln!("tdg backend on this CPU: {}", backend.name());
}

#[test]
#[should_panic(expected = "every column must have")]
fn mismatched_column_lengths_are_refused() {
    let one = [1u32];
    let columns = Columns {
        cyclomatic: &one,
        cognitive: &one,
        max_nesting: &one,
        loc: &one,
        params: &one,
        dead_symbol_ratio: &[0.0, 0.0],
        churn: &one,
    };
    tdg_batch(&columns, &mut [0.0]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// SIMD and scalar agree (to 1e-6, and in fact exactly) on random columns of every length
    /// 0..=70, so every remainder of the 8- and 4-lane loops is covered; both agree with the
    /// one-row definition.
    #[test]
    fn simd_and_scalar_agree_on_every_length(
        rows in proptest::collection::vec(arb_inputs(), 70),
    ) {
        let simd = Backend::detect();
        for len in 0..=rows.len() {
            let rows = &rows[..len];
            let scalar = run(Backend::Scalar, rows);
            let fast = run(simd, rows);
            for (i, row) in rows.iter().enumerate() {
                let (s, f) = (scalar[i], fast[i]);
                prop_assert!((s - f).abs() <= 1e-6, "len {len} row {i}: scalar {s} {} {f}", simd.name());
                prop_assert_eq!(s, f, "len {} row {}: not bit-identical", len, i);
                prop_assert_eq!(s, tdg(row));
            }
        }
    }

    #[test]
    fn score_is_within_bounds(row in arb_inputs()) {
        let score = tdg(&row);
        prop_assert!((0.0..=MAX_SCORE).contains(&score), "{score}");
    }

    /// Raising any one input never lowers the score.
    #[test]
    fn monotone_in_every_input(row in arb_inputs(), input in 0usize..7, step in 0u32..1000) {
        let before = tdg(&row);
        let mut raised = row;
        match input {
            0 => raised.cyclomatic = row.cyclomatic.saturating_add(step),
            1 => raised.cognitive = row.cognitive.saturating_add(step),
            2 => raised.max_nesting = row.max_nesting.saturating_add(step),
            3 => raised.loc = row.loc.saturating_add(step),
            4 => raised.params = row.params.saturating_add(step),
            5 => {
                let d = if row.dead_symbol_ratio.is_nan() { 0.0 } else { row.dead_symbol_ratio };
                raised.dead_symbol_ratio = d + step as f32 / 1000.0;
            }
            _ => raised.churn = row.churn.saturating_add(step),
        }
        let after = tdg(&raised);
        prop_assert!(after >= before, "input {input}: {before} -> {after}");
    }

    /// Strictly increasing below the cap: one more unit of a count moves the score.
    #[test]
    fn each_count_counts_below_its_cap(input in 0usize..7, x in 0u32..5) {
        let base = Inputs::default();
        let lower = tdg(&with(base, input, x as f32 / if input == 5 { 10.0 } else { 1.0 }));
        let upper = tdg(&with(base, input, (x + 1) as f32 / if input == 5 { 10.0 } else { 1.0 }));
        prop_assert!(upper > lower, "input {input}: {lower} !< {upper}");
    }
}
