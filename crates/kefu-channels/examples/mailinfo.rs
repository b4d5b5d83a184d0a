//! Prints what the parser makes of a mail file: `cargo run -p kefu-channels --example mailinfo -- FILE`.

fn main() {
    for path in std::env::args().skip(1) {
        let raw = std::fs::read(&path).expect("readable file");
        match kefu_channels::mail::parse(&raw) {
            Ok(m) => {
                println!(
                    "{path}: subject={:?} from={:?} id={:?}",
                    m.subject, m.from, m.message_id
                );
                println!(
                    "  in_reply_to={:?} references={:?} noise={:?} bounced={:?}",
                    m.in_reply_to, m.references, m.noise, m.bounced_message_id
                );
                println!("  text={:?}", m.text.chars().take(200).collect::<String>());
                for a in &m.attachments {
                    println!(
                        "  attachment {:?} {} inline={} cid={:?} {} bytes",
                        a.name,
                        a.content_type,
                        a.inline,
                        a.content_id,
                        a.bytes.len()
                    );
                }
            }
            Err(e) => println!("{path}: {e}"),
        }
    }
}
