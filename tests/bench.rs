//! `bench/run.sh` keeps working: a small run (debug build, 40 and 20 applications, fake clusters
//! of 200 and 600 pods, 30 applications with full pod specs, no checkov) measures every step and
//! writes a complete results file. The figures themselves are for `bench/run.sh` on a quiet
//! machine, not for a test. It runs the binaries this test run built (`BENCH_BIN_DIR`): no second
//! cargo build with other features.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails by panicking

use std::path::Path;
use std::process::Command;

#[path = "support/tools.rs"]
mod tools;

#[test]
fn the_benchmark_measures_every_step_and_writes_its_results() {
    // Peak memory comes from GNU time (Debian package `time`; .ci/run installs it).
    if !tools::require("/usr/bin/time", &["--version"], "the benchmark smoke test", "GNU time: apt-get install time") {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().expect("temp dir");
    let run = Command::new(root.join("bench/run.sh"))
        .envs([
            ("BENCH_N", "40"),
            ("BENCH_SMALL_N", "20"),
            ("BENCH_RUNS", "1"),
            ("BENCH_PODS", "200"),
            ("BENCH_PODS_LARGE", "600"),
            ("BENCH_REAL_N", "30"),
            ("BENCH_SKIP_CHECKOV", "1"),
            ("BENCH_PROFILE", "dev"),
        ])
        .env("BENCH_OUT", out.path())
        .env("BENCH_BIN_DIR", Path::new(env!("CARGO_BIN_EXE_iblint")).parent().expect("target dir"))
        .output()
        .expect("run bench/run.sh");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "bench/run.sh failed:\n{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    let leaked = orphaned_fake_servers();
    assert!(leaked.is_empty(), "fake API servers outlived the benchmark: {leaked:?}");
    for line in [
        "check / bare event loop (40 apps):",
        "check / tree-building parse:",
        "marginal bytes per app:",
        "1 thread / ",
        "pre-commit one file (40 apps), no cache:",
        "pre-commit one file (40 apps), warm cache:",
        "pre-commit one file (40 apps), after an edit:",
        "check filling the cache / no cache:",
        "with the cache, 120 apps:",
        "with the cache, 400 apps:",
        "audit, 10k pods:",
        "audit, 50k pods (default options):",
        "growth, map of 120 / 40 apps:",
        "growth, fix of one file, 12 / 4 apps:",
        "growth, audit of 600 / 200 pods:",
        "check / bare event loop, full pod specs and CRDs (30 apps):",
        "YAML streams the line scanner read:",
    ] {
        assert!(stdout.contains(line), "no `{line}` in:\n{stdout}");
    }

    let text = std::fs::read_to_string(out.path().join("results.json")).expect("results.json");
    let results: serde_json::Value = serde_json::from_str(&text).expect("results.json is JSON");
    assert_eq!(results["apps"], 40);
    assert_eq!(results["pods"], 200);
    assert_eq!((results["large_apps"].as_u64(), results["huge_apps"].as_u64()), (Some(120), Some(400)));
    assert!(results["marginal_bytes_per_app"].is_number(), "{text}");
    assert_eq!(results["pods_large"], 600);
    // 40 applications: 6 documents each, one in seven with a planted mistake that iblint finds;
    // two teams deploy with kustomize: a base kustomization and two overlays (a kustomization and
    // a patch each), 5 documents per team.
    assert_eq!(results["documents"], 240 + 2 * 5);
    assert!(results["findings"]["iblint_big"].as_u64().is_some_and(|n| n > 0), "{text}");
    assert!(results["findings"]["iblint_small"].as_u64().is_some_and(|n| n > 0), "{text}");
    assert_eq!(results["audit"], "measured");
    assert!(results["cache_bytes"].as_u64().is_some_and(|n| n > 0), "the cache was filled: {text}");
    // The generated trees are written as manifests are: the line scanner reads every stream.
    for tree in ["apps", "full_pod_specs"] {
        let share = results["yaml_streams_read_by_lines"][tree].as_str().unwrap_or_default();
        let counts: Vec<u64> = share.split(" of ").filter_map(|n| n.parse().ok()).collect();
        assert!(matches!(counts[..], [read, all] if read == all && all > 0), "{tree}: {share:?} in {text}");
    }
    for growth in
        ["map_growth_3x", "fix_one_file_growth_3x", "audit_growth_50k_over_10k", "check_over_event_loop_full_pod_specs"]
    {
        assert!(results["ratios"][growth].is_number(), "{growth}: {text}");
    }
    for step in [
        "check_big",
        "events_only_big",
        "parse_only_big",
        "check_large",
        "check_huge",
        "check_large_cache_cold",
        "check_large_cache_warm",
        "check_huge_cache_cold",
        "check_huge_cache_warm",
        "check_big_1thread",
        "check_big_all_threads",
        "events_only_big_1thread",
        "parse_only_big_1thread",
        "check_small",
        "precommit_no_cache",
        "precommit_warm",
        "precommit_after_edit",
        "check_big_fill_cache",
        "audit_10k_pods",
        "audit_10k_pods_no_sar",
        "audit_50k_pods",
        "kubectl_get_pods_50k",
        "check_real",
        "events_only_real",
    ] {
        assert!(results["wall_seconds"][step].as_f64().is_some_and(|s| s > 0.0), "no time for {step}: {text}");
    }
    for ratio in ["check_over_event_loop", "check_over_parse_only", "parse_only_over_event_loop", "one_thread_over_all"]
    {
        assert!(results["ratios"][ratio].as_f64().is_some_and(|r| r > 0.0), "no ratio {ratio}: {text}");
    }
    assert!(results["peak_rss_mb"]["check_big"].as_f64().is_some_and(|mb| mb > 0.0), "{text}");
    assert!(results["peak_rss_mb"]["audit_50k_pods"].as_f64().is_some_and(|mb| mb > 0.0), "{text}");
    assert!(results["ratios"]["audit_50k_over_kubectl_get_pods"].as_f64().is_some_and(|r| r > 0.0), "{text}");
}

/// Fake API servers still running whose kubeconfig's directory is gone: started by a benchmark
/// run that has ended (servers of tests running meanwhile have their directories).
fn orphaned_fake_servers() -> Vec<String> {
    let Ok(procs) = std::fs::read_dir("/proc") else { return Vec::new() };
    procs
        .filter_map(|p| std::fs::read(p.ok()?.path().join("cmdline")).ok())
        .map(|c| c.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect::<Vec<_>>())
        .filter(|args| args.first().is_some_and(|a| a.ends_with("fake_apiserver")))
        .filter(|args| {
            let kubeconfig = args.iter().skip_while(|a| *a != "--kubeconfig").nth(1);
            kubeconfig.and_then(|k| Path::new(k).parent()).is_some_and(|dir| !dir.exists())
        })
        .map(|args| args.join(" "))
        .collect()
}
