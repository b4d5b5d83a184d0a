#![allow(clippy::result_large_err)] // figment::Error is large; tests only
//! Layering, overrides and refusals, each in a figment `Jail` (a temporary working directory
//! and environment).

use std::path::Path;

use figment::Jail;

use super::*;

fn load(file: Option<&str>, overrides: &Overrides) -> figment::Result<Config> {
    Config::load(file.map(Path::new), overrides).map_err(|e| figment::Error::from(e.to_string()))
}

fn load_err(file: Option<&str>) -> String {
    match Config::load(file.map(Path::new), &Overrides::default()) {
        Ok(cfg) => panic!("expected an error, got {cfg:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn defaults_apply_without_file_or_env() {
    Jail::expect_with(|_jail| {
        let cfg = load(None, &Overrides::default())?;
        assert_eq!(cfg, Config::default());
        assert_eq!(cfg.server.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(cfg.server.max_body_bytes, 2 * 1024 * 1024);
        assert_eq!(cfg.log.format, LogFormat::Json);
        assert_eq!(
            cfg.database_url().expose(),
            "sqlite://./kefu-data/kefu.db?mode=rwc"
        );
        Ok(())
    });
}

#[test]
fn file_then_env_then_flags() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "kefu.toml",
            r#"
            [server]
            bind = "0.0.0.0:9000"
            [log]
            level = "debug"
            format = "pretty"
            [storage]
            max_attachment_mb = 5
            "#,
        )?;
        let cfg = load(None, &Overrides::default())?;
        assert_eq!(cfg.server.bind.to_string(), "0.0.0.0:9000");
        assert_eq!(cfg.log.level, "debug");
        assert_eq!(cfg.log.format, LogFormat::Pretty);
        // Keys the file leaves out keep their defaults.
        assert_eq!(cfg.server.max_body_bytes, 2 * 1024 * 1024);

        jail.set_env("KEFU_SERVER__BIND", "127.0.0.1:9100");
        jail.set_env("KEFU_STORAGE__MAX_ATTACHMENT_MB", "7");
        let cfg = load(None, &Overrides::default())?;
        assert_eq!(cfg.server.bind.to_string(), "127.0.0.1:9100");
        assert_eq!(cfg.storage.max_attachment_mb, 7);
        assert_eq!(cfg.app_settings().max_attachment_bytes, 7 * 1024 * 1024);
        assert_eq!(cfg.log.level, "debug", "the file still applies below env");

        let flags = Overrides {
            bind: Some("127.0.0.1:9200".parse().map_err(|_| "addr")?),
        };
        let cfg = load(None, &flags)?;
        assert_eq!(cfg.server.bind.to_string(), "127.0.0.1:9200");
        Ok(())
    });
}

#[test]
fn explicit_file_is_used_and_must_exist() {
    Jail::expect_with(|jail| {
        jail.create_file("kefu.toml", "[tickets]\nnumber_prefix = \"LOCAL\"\n")?;
        jail.create_file("other.toml", "[tickets]\nnumber_prefix = \"OTHER\"\n")?;
        let cfg = load(Some("other.toml"), &Overrides::default())?;
        assert_eq!(cfg.tickets.number_prefix, "OTHER");
        assert!(load_err(Some("missing.toml")).contains("missing.toml"));
        Ok(())
    });
}

#[test]
fn database_url_is_derived_from_data_dir_unless_set() {
    Jail::expect_with(|jail| {
        jail.set_env("KEFU_STORAGE__DATA_DIR", "/var/lib/kefu");
        let cfg = load(None, &Overrides::default())?;
        assert_eq!(
            cfg.database_url().expose(),
            "sqlite:///var/lib/kefu/kefu.db?mode=rwc"
        );
        assert_eq!(cfg.files_dir(), Path::new("/var/lib/kefu/files"));

        jail.set_env(
            "KEFU_DATABASE__URL",
            "postgres://kefu:hunter2@127.0.0.1:5432/kefu",
        );
        jail.set_env("KEFU_DATABASE__MAX_CONNECTIONS", "4");
        let cfg = load(None, &Overrides::default())?;
        assert_eq!(
            cfg.database_url().expose(),
            "postgres://kefu:hunter2@127.0.0.1:5432/kefu"
        );
        assert_eq!(cfg.database.max_connections, Some(4));
        assert!(!format!("{cfg:?}").contains("hunter2"));
        assert!(!render_toml(&cfg).contains("hunter2"));
        assert!(render_toml(&cfg).contains("postgres://kefu:********@127.0.0.1:5432/kefu"));
        Ok(())
    });
}

#[test]
fn unknown_file_key_is_refused_by_name() {
    Jail::expect_with(|jail| {
        jail.create_file("kefu.toml", "[server]\nbindd = \"127.0.0.1:1\"\n")?;
        let err = load_err(None);
        assert!(err.contains("`server.bindd`"), "{err}");
        assert!(err.contains("kefu.toml"), "{err}");
        assert!(
            err.contains("bind, max_body_bytes, secure_cookies"),
            "{err}"
        );

        jail.create_file("kefu.toml", "[serverr]\nbind = \"127.0.0.1:1\"\n")?;
        let err = load_err(None);
        assert!(err.contains("`serverr`"), "{err}");
        Ok(())
    });
}

#[test]
fn unknown_env_key_is_refused_but_foreign_kefu_vars_are_ignored() {
    Jail::expect_with(|jail| {
        jail.set_env("KEFU_CONFIG", "ignored-here.toml");
        jail.set_env("KEFU_TEST_PG_URL", "postgres://x@127.0.0.1/test");
        load(None, &Overrides::default())?;

        jail.set_env("KEFU_DATABSE__URL", "sqlite::memory:");
        let err = load_err(None);
        assert!(err.contains("`databse`"), "{err}");
        assert!(err.contains("environment"), "{err}");
        Ok(())
    });
}

#[test]
fn bad_values_are_refused() {
    Jail::expect_with(|jail| {
        jail.set_env("KEFU_LOG__FORMAT", "xml");
        let err = load_err(None);
        assert!(err.contains("xml"), "{err}");
        Ok(())
    });
}

#[test]
fn rendered_config_reads_back_unchanged() {
    Jail::expect_with(|jail| {
        jail.set_env("KEFU_SERVER__SECURE_COOKIES", "true");
        jail.set_env("KEFU_DATABASE__MAX_CONNECTIONS", "3");
        jail.set_env("KEFU_TICKETS__NUMBER_PREFIX", "维修\"1\"");
        let cfg = load(None, &Overrides::default())?;
        jail.clear_env();
        jail.create_file("rendered.toml", &render_toml(&cfg))?;
        let back = load(Some("rendered.toml"), &Overrides::default())?;
        assert_eq!(back, cfg);
        Ok(())
    });
}

#[test]
fn example_file_holds_exactly_the_defaults() {
    let example = include_str!("../../../../kefu.example.toml");
    let cfg: Config = Figment::from(Toml::string(example))
        .extract()
        .unwrap_or_else(|e| panic!("kefu.example.toml: {e}"));
    assert_eq!(cfg, Config::default());
    assert_eq!(example, render_toml(&Config::default()));
}
