"""Japanese: WhatsApp's own wording in exports made on a phone set to Japanese."""

TABLE = {
    "code": "ja",
    "media_android": ("<メディアなし>", "<メディアは含まれていません>"),
    "media_ios": {
        "image": "画像は含まれていません",
        "video": "ビデオは含まれていません",
        "audio": "音声は含まれていません",
        "gif": "GIFは含まれていません",
        "sticker": "スタンプは含まれていません",
        "document": "ドキュメントは含まれていません",
        "contact": "連絡先カードを省略",
    },
    "deleted": ("このメッセージは削除されました", "このメッセージを削除しました"),
    "file_attached": ("添付ファイル有り",),
    "attached_ios": ("添付ファイル",),
    "location": ("位置情報",),  # Android: "位置情報：https://…", with a full-width colon
    "edited": ("このメッセージは編集されました",),
    "system": (
        "エンドツーエンド暗号化",
        "グループを作成しました",
        "を作成しました",
        "を追加しました",
        "が退出しました",
        "が退出",
        "を削除しました",
        "グループ名を",
        "グループアイコンを",
        "セキュリティコード",
        "招待リンクから",
        "消えるメッセージ",
        "不在着信",
    ),
    "title_prefix": ("WhatsApp チャット - ",),
    "title_suffix": ("とのWhatsAppチャット", "とのトーク"),
    "hints": ("暗号化", "含まれていません", "添付", "削除され", "編集され"),
}
