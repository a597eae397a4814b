"""Citations of the legal sources the rules rest on (NOTES.md, "Law and regulation").

An article is named only where a source was checked; otherwise the document alone is cited.
"""

from __future__ import annotations

LAW_CADRES_2025 = "Luật Cán bộ, công chức 2025 (80/2025/QH15)"
LAW_CADRES_2025_ART27 = "Luật Cán bộ, công chức 2025 (80/2025/QH15), Điều 27"
DECREE_335 = "Nghị định 335/2025/NĐ-CP (đánh giá, xếp loại chất lượng)"
DECREE_172 = "Nghị định 172/2025/NĐ-CP (xử lý kỷ luật cán bộ, công chức)"
REG_114 = "Quy định 114-QĐ/TW (2023) về kiểm soát quyền lực trong công tác cán bộ"
REG_377 = "Quy định 377-QĐ/TW (08/10/2025) về bổ nhiệm, luân chuyển, điều động"
REG_377_BARS = REG_377 + " (mức từ Quy định 80-QĐ/TW)"
REG_65 = "Quy định 65-QĐ/TW về luân chuyển cán bộ"
LAW_DENUNCIATION = "Luật Tố cáo 2018 (25/2018/QH14), sửa đổi bởi Luật 136/2025/QH15"
LAW_ANTI_CORRUPTION_ART20 = "Luật Phòng, chống tham nhũng 2018, Điều 20"
LAW_ANTI_CORRUPTION_ART25 = "Luật Phòng, chống tham nhũng 2018, Điều 25; Nghị định 59/2019/NĐ-CP"
TWO_LEVEL_GOVERNMENT = "Chính quyền địa phương hai cấp từ 01/7/2025 (bỏ cấp huyện)"
LEDGER_INTEGRITY = "canbo-ledger: toàn vẹn dữ liệu (data integrity)"
