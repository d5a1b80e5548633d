//! The binary runs on jemalloc with kclm's settings (one arena, freed pages
//! returned at once): if the configuration symbol stops being read, say
//! after an upgrade, the console's resident size grows back by tens of MB.

#[cfg(feature = "jemalloc")]
#[test]
fn the_binary_reads_kclms_jemalloc_settings() {
    let out = assert_cmd::Command::cargo_bin("kclm")
        .unwrap()
        .env("_RJEM_MALLOC_CONF", "confirm_conf:true")
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for setting in ["narenas:1", "dirty_decay_ms:0", "muzzy_decay_ms:0"] {
        assert!(
            err.contains(&format!("Set conf value: {setting}")),
            "jemalloc did not take {setting}:\n{err}"
        );
    }
}
