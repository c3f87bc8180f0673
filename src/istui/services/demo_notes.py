"""The demo's notes: talk scripts, objections, cases, tips and materials (`NOTES`, and `JA_NOTES` for a Japanese
demo), and its e-mail templates (`MAIL_TEMPLATES`: merge fields, a sender line and an opt-out line, so that a
campaign may use them)."""

from __future__ import annotations

from typing import Any

NOTES: tuple[dict[str, Any], ...] = (
    {"title": "初回架電トーク（Webお問い合わせ）", "kind": "script", "tags": ["web_inquiry", "初回"], "pinned": True,
     "body": "# 初回架電（反響）\n\n1. お問い合わせのお礼を伝える\n2. 「どのような課題でご検討されましたか？」と聞く\n"
             "3. 導入時期と決裁フローを確認\n4. 30分のオンライン打ち合わせを提案する\n\n> 5分以内の架電が最も接続率が高い。"},
    {"title": "First call after a whitepaper download", "kind": "script", "tags": ["download", "first-call"],
     "body": "# Download follow-up\n\n- Thank them for reading *the guide*; ask which chapter mattered.\n"
             "- Offer the 2-page case study that matches their industry.\n- Ask for 20 minutes next week."},
    {"title": "切り返し：「今は忙しい」", "kind": "objection", "tags": ["切り返し", "初回"],
     "body": "「お忙しいところ失礼しました。30秒だけ、御社と同業の○○社様の事例をお伝えしてもよろしいですか？」\n\n"
             "→ 断られたら「では、来週の火曜と木曜ではどちらがご都合よろしいですか？」と二択で再架電を設定。"},
    {"title": "Objection: we already use a competitor", "kind": "objection", "tags": ["objection", "competitor"],
     "body": "Agree first. Then: *What would you change about it if you could?* Most teams renew on inertia; "
             "offer a side-by-side on one workflow, not a rip-and-replace."},
    {"title": "切り返し：「資料だけ送って」", "kind": "objection", "tags": ["切り返し", "download"],
     "body": "「承知しました。ご状況に合った資料をお送りしたいので、2点だけ伺えますか？」\n"
             "- 現在の運用方法\n- 検討のきっかけ\n\n資料送付後、2営業日以内に再架電。"},
    {"title": "Objection: no budget this year", "kind": "objection", "tags": ["objection", "budget"],
     "body": "Ask when the next budget cycle starts and who owns it. Log the date as the next action and tag budget-q1."},
    {"title": "製造業向け導入事例（3社）", "kind": "case", "tags": ["製造業", "事例"],
     "body": "- 東洋製作所：問い合わせ対応時間 40% 削減\n- 大和工業：月間商談数 1.8倍\n- 富士化学：リード獲得単価 25% 改善"},
    {"title": "Case study: Northwind Logistics", "kind": "case", "tags": ["logistics", "case"],
     "body": "Cut time-to-first-call from 3 days to 11 minutes; meeting rate on web inquiries went from 18% to 31%."},
    {"title": "展示会リードのフォロー手順", "kind": "tip", "tags": ["trade_show", "展示会"],
     "body": "展示会リードは接続率が低い。名刺交換の**翌営業日午前**に架電し、つながらなければ当日中にお礼メール。"
             "3回不通ならナーチャリングへ。"},
    {"title": "Best time to call", "kind": "tip", "tags": ["timing"],
     "body": "Our data: 10–11 and 16–17 connect best; avoid 12–13. Check the KPI tab's weekday × hour heatmap."},
    {"title": "Product overview deck (JP/EN)", "kind": "material", "tags": ["資料", "deck"],
     "body": "Shared drive: `Sales/Decks/overview-2026.pdf`. The 1-page version gets a better open rate by e-mail."},
    {"title": "料金表とよくある質問", "kind": "material", "tags": ["資料", "料金"],
     "body": "最新の料金表は共有フォルダの `料金/2026年度.pdf`。初期費用の質問が多いので先に伝える。"},
    {"title": "Handoff checklist (BANT)", "kind": "tip", "tags": ["handoff", "BANT"],
     "body": "Before handing off: budget range, the decision maker's name, the pain in their words, and a date. "
             "Field sales reads the sheet 5 minutes before the meeting: make it skimmable."},
    {"title": "ウェビナー参加者への架電", "kind": "script", "tags": ["webinar", "初回"],
     "body": "「先日はウェビナーにご参加いただきありがとうございました。特に関心を持たれたテーマはどれでしたか？」"},
)


JA_NOTES: tuple[dict[str, Any], ...] = (
    NOTES[0],
    {"title": "資料ダウンロード後の初回架電", "kind": "script", "tags": ["download", "初回"],
     "body": "# 資料DLフォロー\n\n- 資料をお読みいただいたお礼を伝え、どの章が役に立ったか伺う\n"
             "- 業種に合った2ページの事例をご案内する\n- 来週20分のお打ち合わせを提案する"},
    NOTES[2],
    {"title": "切り返し：「他社サービスを使っている」", "kind": "objection", "tags": ["切り返し", "競合"],
     "body": "まず肯定する。そのうえで「もし一つ変えられるとしたら、どこを変えたいですか？」と伺う。"
             "多くの会社は惰性で更新している。全面切り替えではなく、一つの業務で比較してみることを提案する。"},
    NOTES[4],
    {"title": "切り返し：「今年は予算がない」", "kind": "objection", "tags": ["切り返し", "予算"],
     "body": "次の予算策定がいつ始まり、どなたが担当かを伺う。その日付を次回アクションに記録し、タグ「予算Q1」を付ける。"},
    NOTES[6],
    {"title": "導入事例：北斗物流株式会社", "kind": "case", "tags": ["物流", "事例"],
     "body": "初回架電までの時間を3日から11分に短縮。Webお問い合わせの商談化率は18%から31%に向上。"},
    NOTES[8],
    {"title": "つながりやすい時間帯", "kind": "tip", "tags": ["時間帯"],
     "body": "当チームの実績では10〜11時と16〜17時がつながりやすく、12〜13時は避ける。KPIタブの曜日×時間帯ヒートマップを確認。"},
    {"title": "製品紹介資料（日英）", "kind": "material", "tags": ["資料", "紹介資料"],
     "body": "共有ドライブ：`営業/紹介資料/製品概要-2026.pdf`。メールでは1枚版の方が開封率が高い。"},
    NOTES[11],
    {"title": "引き渡し前のチェックリスト（BANT）", "kind": "tip", "tags": ["引き渡し", "BANT"],
     "body": "引き渡す前に：予算の幅、決裁者の氏名、お客様自身の言葉での課題、日付。"
             "フィールドセールスは商談の5分前にシートを読む。ひと目で分かるように。"},
    NOTES[13],
)


#: (the demo languages that get it, the template)
MAIL_TEMPLATES: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (("en", "ja"), {"title": "資料送付のご案内（メルマガ可）", "kind": "template", "tags": ["メール", "資料"],
                    "subject": "{{ lead.company }} 様：ご依頼の資料をお送りします",
                    "body": "{{ lead.company }}\n{{ lead.contact | default('ご担当者') }} 様\n\n"
                            "いつもお世話になっております。{{ rep.display }}です。\n"
                            "ご依頼いただいた資料をお送りします。導入事例もあわせてご覧ください。\n"
                            "https://example.co.jp/resources/overview\n\n"
                            "30分ほどオンラインでご説明できれば幸いです。ご都合のよい日時をお知らせください。\n\n"
                            "--\n{{ rep.display }} <{{ rep.email }}>\n{{ unsubscribe }}\n"}),
    (("en",), {"title": "Follow-up after a download (newsletter-ready)", "kind": "template", "tags": ["email", "download"],
               "subject": "The guide you downloaded, and a 20-minute walkthrough",
               "body": "Hi {{ lead.contact | default('there') }},\n\n"
                       "Thanks for downloading our guide. Teams like {{ lead.company }} usually start with the "
                       "two-page case study: https://example.com/resources/case-study\n\n"
                       "Would 20 minutes next week suit you for a walkthrough?\n\n"
                       "--\n{{ rep.display }} <{{ rep.email }}>\n{{ unsubscribe }}\n"}),
)
