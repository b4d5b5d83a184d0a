//! The knowledge base on both databases: versions and stale saves, who may read which state,
//! the index following article changes, votes, deflections, Markdown import (bad files
//! change nothing) and export round trip, suggestions for a ticket, and the bot.

use std::io::Write;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use kefu_app::kb::{self, ArticleFilter, ArticleSave, CategorySave};
use kefu_app::tickets::{self, NewTicket, ReplyInput, TransitionInput};
use kefu_app::{App, AppError, AppSettings, FixedClock};
use kefu_domain::access::{Actor, Role};
use kefu_store::entity::{bot_answer, kb_article, kb_article_version, kb_deflection};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use kefu_store::testing::TestDb;
use uuid::Uuid;

fn actor(role: Role) -> Actor {
    Actor {
        user_id: Uuid::now_v7(),
        role,
        customer_id: None,
        scopes: None,
    }
}

fn save(title: &str, body: &str, state: &str) -> ArticleSave {
    ArticleSave {
        title: title.into(),
        body: body.into(),
        state: Some(state.into()),
        category_id: None,
        tags: vec![],
        product_ids: vec![],
        review_at: None,
        version: None,
    }
}

async fn search_titles(app: &App, who: Option<&Actor>, q: &str) -> Vec<String> {
    let a = who.cloned().unwrap_or(Actor {
        user_id: Uuid::nil(),
        role: Role::Customer,
        customer_id: Some(Uuid::now_v7()),
        scopes: None,
    });
    kefu_app::search::search(
        app,
        &a,
        kefu_app::search::SearchParams {
            q: q.into(),
            kind: Some("article".into()),
            any: true,
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .hits
    .into_iter()
    .map(|h| h.title)
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn knowledge_base_end_to_end() {
    for db in TestDb::all().await {
        let clock = Arc::new(FixedClock::new(
            Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap(),
        ));
        let mut settings = AppSettings::for_tests(db.dir.join("files"));
        settings.public_url = "https://kefu.example.cn".into();
        let app = App::with_clock(db.store.clone(), settings, clock.clone());
        kefu_app::bootstrap::ensure_defaults(&app).await.unwrap();
        let editor = actor(Role::Supervisor);
        let agent = actor(Role::Agent);

        // Agents read; only editors write.
        assert!(matches!(
            kb::create_article(&app, &agent, save("x", "y", "draft")).await,
            Err(AppError::Forbidden(_))
        ));
        let printers = kb::create_category(
            &app,
            &editor,
            CategorySave {
                name: "打印机".into(),
                description: "激光打印机常见问题".into(),
                parent_id: None,
                position: 1,
            },
        )
        .await
        .unwrap();
        let mut jam = save(
            "打印机卡纸怎么办",
            "# 处理步骤\n\n关闭电源后打开前盖，沿出纸方向慢慢取出卡住的纸张。\n\n检查定影组件有无残纸，再装回硒鼓。",
            "public",
        );
        jam.category_id = Some(printers.id);
        jam.tags = vec!["卡纸".into(), "#打印机".into()];
        jam.review_at = NaiveDate::from_ymd_opt(2026, 12, 1);
        let jam = kb::create_article(&app, &editor, jam).await.unwrap();
        assert_eq!((jam.version, jam.state.as_str()), (1, "public"));
        assert_eq!(jam.tags, ["卡纸", "打印机"]);
        assert!(jam.review_due);
        assert!(jam.html.contains("<h1>处理步骤</h1>"), "{}", jam.html);
        let credit = kb::create_article(
            &app,
            &editor,
            save(
                "信用额度审批流程",
                "超过五万元的退款须经财务审批。",
                "internal",
            ),
        )
        .await
        .unwrap();
        let draft = kb::create_article(&app, &editor, save("新机型安装", "", "draft"))
            .await
            .unwrap();
        // A published article needs a text; problems name the field.
        match kb::create_article(&app, &editor, save(" ", "", "public")).await {
            Err(AppError::Invalid(e)) => {
                let f: Vec<&str> = e.iter().map(|x| x.field.as_str()).collect();
                assert_eq!(f, ["title", "body"]);
            }
            other => panic!("{other:?}"),
        }

        // Versions: a change is a new version naming its fields; an unchanged save writes
        // nothing; a save based on an old version is refused; restoring is a new version.
        let mut edit = save("打印机卡纸怎么办", "关闭电源，打开前盖取出纸张。", "public");
        edit.category_id = Some(printers.id);
        edit.tags = jam.tags.clone();
        edit.review_at = NaiveDate::from_ymd_opt(2027, 6, 1);
        edit.version = Some(1);
        let v2 = kb::update_article(&app, &editor, jam.id, edit.clone())
            .await
            .unwrap();
        assert_eq!(v2.version, 2);
        assert!(!v2.review_due);
        edit.version = Some(2);
        let same = kb::update_article(&app, &editor, jam.id, edit.clone())
            .await
            .unwrap();
        assert_eq!(same.version, 2);
        edit.version = Some(1);
        edit.body = "另一个人的修改".into();
        assert!(matches!(
            kb::update_article(&app, &editor, jam.id, edit).await,
            Err(AppError::Conflict {
                code: "stale_version",
                ..
            })
        ));
        let versions = kb::article_versions(&app, &agent, jam.id).await.unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0].changed, ["body", "review_at"]);
        assert_eq!(versions[1].changed, ["created"]);
        assert_eq!(versions[0].changed_by, Some(editor.user_id));
        let restored = kb::restore_version(&app, &editor, jam.id, 1).await.unwrap();
        assert_eq!(restored.version, 3);
        assert!(restored.body.contains("定影组件"));

        // Who reads what: anonymous and customers public only, staff published, editors all.
        let customer = Actor {
            user_id: Uuid::now_v7(),
            role: Role::Customer,
            customer_id: Some(Uuid::now_v7()),
            scopes: None,
        };
        for (who, id, ok) in [
            (None, credit.id, false),
            (Some(&customer), credit.id, false),
            (Some(&customer), draft.id, false),
            (Some(&agent), credit.id, true),
            (Some(&agent), draft.id, false),
            (Some(&editor), draft.id, true),
            (None, jam.id, true),
        ] {
            let r = kb::get_article(&app, who, id, false).await;
            assert_eq!(r.is_ok(), ok, "{who:?} {id}");
            if !ok {
                assert!(matches!(r, Err(AppError::NotFound(_))));
            }
        }
        let viewed = kb::get_article(&app, None, jam.id, true).await.unwrap();
        assert_eq!(viewed.views, 1);
        let public_list = kb::list_articles(&app, None, ArticleFilter::default())
            .await
            .unwrap();
        assert_eq!(public_list.total, 1);
        let staff_list = kb::list_articles(&app, Some(&agent), ArticleFilter::default())
            .await
            .unwrap();
        assert_eq!(staff_list.total, 2);
        let tagged = kb::list_articles(
            &app,
            Some(&editor),
            ArticleFilter {
                tag: Some("卡纸".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(tagged.total, 1);
        let cats = kb::list_categories(&app, None).await.unwrap();
        assert_eq!((cats[0].name.as_str(), cats[0].articles), ("打印机", 1));
        assert!(matches!(
            kb::delete_category(&app, &editor, printers.id).await,
            Err(AppError::Rule { .. })
        ));

        // The index follows the outbox: customers find public articles only; archiving
        // takes an article out.
        kefu_app::search::index_pending(&app, 1000).await.unwrap();
        assert_eq!(
            search_titles(&app, None, "卡纸").await,
            ["打印机卡纸怎么办"]
        );
        assert!(search_titles(&app, None, "信用额度").await.is_empty());
        assert_eq!(
            search_titles(&app, Some(&agent), "信用额度").await,
            ["信用额度审批流程"]
        );
        let mut archive = save(
            "信用额度审批流程",
            "超过五万元的退款须经财务审批。",
            "archived",
        );
        archive.version = Some(1);
        kb::update_article(&app, &editor, credit.id, archive)
            .await
            .unwrap();
        kefu_app::search::index_pending(&app, 1000).await.unwrap();
        assert!(
            search_titles(&app, Some(&agent), "信用额度")
                .await
                .is_empty()
        );

        // Votes: one per voter, the last one counts.
        kb::vote(&app, None, jam.id, true, None, "browser-a")
            .await
            .unwrap();
        kb::vote(&app, None, jam.id, false, Some("没用".into()), "browser-a")
            .await
            .unwrap();
        let counts = kb::vote(&app, Some(&customer), jam.id, true, None, "ignored")
            .await
            .unwrap();
        assert_eq!((counts.helpful_yes, counts.helpful_no), (1, 1));
        assert!(
            kb::vote(&app, None, credit.id, true, None, "b")
                .await
                .is_err()
        );

        // Deflections: opened from a suggestion; one solved, one filed anyway.
        let suggested = kb::for_customer(&app, "打印机卡纸了").await.unwrap();
        assert_eq!(suggested[0].id, jam.id);
        assert_eq!(
            suggested[0].url.as_deref(),
            Some(format!("https://kefu.example.cn/help/articles/{}", jam.id).as_str())
        );
        let d1 = kb::open_suggested(&app, Some(&customer), jam.id, "portal", "卡纸")
            .await
            .unwrap();
        kb::mark_solved(&app, Some(&customer), d1).await.unwrap();
        // Someone else cannot mark it.
        assert!(kb::mark_solved(&app, None, d1).await.is_err());
        let d2 = kb::open_suggested(&app, Some(&customer), jam.id, "portal", "卡纸")
            .await
            .unwrap();
        let filed = kb::mark_deflections_filed(&app, Some(&customer), &[d2], Uuid::now_v7())
            .await
            .unwrap();
        assert_eq!(filed, 1);
        let stats = kb::deflection_stats(&app, &agent, None).await.unwrap();
        assert_eq!(
            (stats[0].deflected, stats[0].solved, stats[0].filed),
            (1, 1, 1)
        );

        // Bot: answers a covered question with the paragraph that answers it; unsure on
        // an unrelated one; hands over when asked.
        let r = kb::bot::ask(
            &app,
            "chat",
            "打印机卡纸怎么取出纸张",
            "zh-CN",
            Default::default(),
        )
        .await
        .unwrap();
        assert_eq!(r.decision, "answer", "{r:?}");
        assert_eq!(r.article.as_ref().map(|a| a.id), Some(jam.id));
        assert!(r.quote.as_deref().unwrap().contains("取出"), "{r:?}");
        assert!(r.text.contains("/help/articles/"), "{}", r.text);
        let unsure = kb::bot::ask(
            &app,
            "chat",
            "发票抬头如何修改",
            "zh-CN",
            Default::default(),
        )
        .await
        .unwrap();
        assert_eq!(unsure.decision, "unsure");
        let human = kb::bot::ask(&app, "chat", "转人工", "zh-CN", Default::default())
            .await
            .unwrap();
        assert_eq!(human.decision, "handover");
        kb::bot::rate(&app, r.answer_id, true).await.unwrap();
        assert!(kb::bot::rate(&app, r.answer_id, false).await.is_err());
        // The helpful answer counts as a deflection of its article.
        let from_bot = kb_deflection::Entity::find()
            .filter(kb_deflection::Column::Channel.eq("bot"))
            .all(app.store.conn())
            .await
            .unwrap();
        assert_eq!(from_bot.len(), 1);
        assert_eq!(from_bot[0].outcome, "solved");
        assert_eq!(
            Some(from_bot[0].article_id),
            r.article.as_ref().map(|a| a.id)
        );
        assert_eq!(
            bot_answer::Entity::find()
                .count(app.store.conn())
                .await
                .unwrap(),
            3
        );

        // Suggestions for an agent: the article and a solved ticket like this one, with the
        // answer that solved it.
        let old = tickets::open_ticket(
            &app,
            &agent,
            NewTicket {
                subject: "复印机卡纸".into(),
                description: Some("每次打印都卡纸".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        tickets::add_reply(
            &app,
            &agent,
            old.id,
            ReplyInput {
                body: "请清理搓纸轮后再试。".into(),
                attachment_ids: vec![],
            },
        )
        .await
        .unwrap();
        let now = tickets::get_ticket(&app, &agent, old.id).await.unwrap();
        tickets::transition_ticket(
            &app,
            &agent,
            old.id,
            TransitionInput {
                to: "resolved".into(),
                version: Some(now.version),
                comment: None,
            },
        )
        .await
        .unwrap();
        let new = tickets::open_ticket(
            &app,
            &agent,
            NewTicket {
                subject: "打印机卡纸".into(),
                description: Some("办公室打印机又卡纸了".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        kefu_app::search::index_pending(&app, 1000).await.unwrap();
        let s = kb::for_ticket(&app, &agent, new.id).await.unwrap();
        assert_eq!(s.articles[0].id, jam.id);
        assert!(s.articles[0].insert_text.contains("取出"));
        assert_eq!(s.tickets.len(), 1, "{s:?}");
        assert_eq!(s.tickets[0].id, old.id);
        assert_eq!(
            s.tickets[0].insert_text.as_deref(),
            Some("请清理搓纸轮后再试。")
        );
        assert!(kb::for_ticket(&app, &customer, new.id).await.is_err());

        // Import: a batch with any bad file writes nothing and names file, line and key.
        let before = kb_article::Entity::find()
            .count(app.store.conn())
            .await
            .unwrap();
        let bad = vec![
            (
                "good.md".to_owned(),
                "# 硒鼓更换\n\n打开前盖，取出旧硒鼓。".as_bytes().to_vec(),
            ),
            (
                "bad.md".to_owned(),
                "---\ntitle: 坏文件\nstate: published\nreview_at: 2027-02-30\n---\n正文"
                    .as_bytes()
                    .to_vec(),
            ),
            ("gbk.md".to_owned(), vec![0xb4, 0xf2, 0xd3, 0xa1]),
            ("notes.txt".to_owned(), b"x".to_vec()),
        ];
        match kb::import_files(&app, &editor, bad, false).await {
            Err(AppError::Invalid(e)) => {
                let got: Vec<(String, String)> = e.into_iter().map(|f| (f.field, f.code)).collect();
                assert_eq!(
                    got,
                    [
                        ("gbk.md:1".to_owned(), "encoding".to_owned()),
                        ("notes.txt:1".into(), "invalid".into()),
                        ("bad.md:3".into(), "state".into()),
                        ("bad.md:4".into(), "review_at".into()),
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
        // A zip of good files: dry run writes nothing, then the real import.
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("耗材/硒鼓更换.md", opts).unwrap();
        zip.write_all("---\nstate: public\ncategory: 耗材\ntags: [硒鼓]\n---\n# 硒鼓更换\n\n打开前盖，取出旧硒鼓。".as_bytes())
            .unwrap();
        zip.start_file("readme.txt", opts).unwrap();
        zip.write_all(b"ignored").unwrap();
        let zip = zip.finish().unwrap().into_inner();
        let dry = kb::import_files(&app, &editor, vec![("kb.zip".into(), zip.clone())], true)
            .await
            .unwrap();
        assert_eq!(
            (dry.created, dry.categories_created, dry.dry_run),
            (1, 1, true)
        );
        let count = || async {
            kb_article::Entity::find()
                .count(app.store.conn())
                .await
                .unwrap()
        };
        assert_eq!(count().await, before);
        let done = kb::import_files(&app, &editor, vec![("kb.zip".into(), zip)], false)
            .await
            .unwrap();
        assert_eq!((done.created, done.updated), (1, 0));
        assert_eq!(count().await, before + 1);

        // Export and re-import: the same articles are updated, not duplicated.
        let exported = kb::export_zip(&app, &editor).await.unwrap();
        let versions_before = kb_article_version::Entity::find()
            .count(app.store.conn())
            .await
            .unwrap();
        let again = kb::import_files(&app, &editor, vec![("export.zip".into(), exported)], false)
            .await
            .unwrap();
        assert_eq!((again.created, again.updated), (0, before as usize + 1));
        assert_eq!(count().await, before + 1);
        // Nothing changed, so no new versions.
        assert_eq!(
            kb_article_version::Entity::find()
                .count(app.store.conn())
                .await
                .unwrap(),
            versions_before
        );

        // The same through an Excel workbook: export, re-import updates by id; a workbook
        // with mistakes names each bad cell by row and column and writes nothing.
        let xlsx = kb::export_xlsx(&app, &editor).await.unwrap();
        let rows = kefu_app::sheets::read_xlsx(xlsx.clone()).unwrap();
        assert_eq!(
            rows.len() as u64,
            before + 2,
            "header + one row per article"
        );
        let again = kb::import_files(&app, &editor, vec![("kb.xlsx".into(), xlsx)], false)
            .await
            .unwrap();
        assert_eq!((again.created, again.updated), (0, before as usize + 1));
        assert_eq!(count().await, before + 1);
        let header: Vec<String> = ["标题", "正文", "状态", "复审日期"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let row = |cells: [&str; 4]| cells.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let bad = kefu_app::sheets::write_xlsx(
            "s",
            &header,
            &[
                row(["新文章一", "正文", "公开", ""]),
                row(["", "没有标题", "公开", ""]),
                row(["新文章三", "正文", "发布", "下周"]),
            ],
            &[],
        )
        .unwrap();
        match kb::import_files(&app, &editor, vec![("bad.xlsx".into(), bad)], false).await {
            Err(AppError::Invalid(e)) => {
                let got: Vec<(String, String)> = e.into_iter().map(|f| (f.field, f.code)).collect();
                assert_eq!(
                    got,
                    [
                        ("bad.xlsx:3".to_owned(), "title".to_owned()),
                        ("bad.xlsx:4".to_owned(), "state".to_owned()),
                        ("bad.xlsx:4".to_owned(), "review_at".to_owned()),
                    ]
                );
            }
            other => panic!("expected row errors, got {other:?}"),
        }
        assert_eq!(count().await, before + 1, "nothing written");
        let good = kefu_app::sheets::write_xlsx(
            "s",
            &header,
            &[row(["新文章一", "第一段\n\n第二段", "公开", "2027-06-30"])],
            &[],
        )
        .unwrap();
        let done = kb::import_files(&app, &editor, vec![("good.xlsx".into(), good)], false)
            .await
            .unwrap();
        assert_eq!((done.files, done.created), (1, 1));
        assert_eq!(count().await, before + 2);
        db.cleanup().await;
    }
}
