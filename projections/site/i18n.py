"""The site's words in Vietnamese (the default) and English."""

from __future__ import annotations

LANGS = ("vi", "en")

TEXT: dict[str, tuple[str, str]] = {
    "site": ("Công khai công tác cán bộ", "Personnel work in the open"),
    "skip": ("Bỏ qua, đến nội dung chính", "Skip to the main content"),
    "home": ("Trang chủ", "Home"),
    "units": ("Tỉnh, xã, phường", "Provinces, communes and wards"),
    "officials": ("Cán bộ, công chức", "Officials"),
    "frameworks": ("Khung năng lực", "Criteria frameworks"),
    "decisions": ("Quyết định", "Decisions"),
    "stats": ("Thống kê", "Statistics"),
    "language": ("English", "Tiếng Việt"),
    "language_label": ("Switch to English", "Chuyển sang tiếng Việt"),
    "checkpoint": ("Checkpoint mới nhất của nhật ký", "The log's latest checkpoint"),
    "log_size": ("Số bản ghi trong nhật ký", "Entries in the log"),
    "verify_title": ("Tự kiểm chứng", "Verify it yourself"),
    "verify_text": (
        "Mọi thông tin trên trang này đến từ nhật ký công khai có chữ ký. Mỗi mục ghi chỉ số "
        "trong nhật ký (#) kèm đường dẫn tới chứng minh thuộc cây Merkle. Lấy khoá kiểm chứng "
        "từ nguồn tin cậy rồi chạy:",
        "Everything on this site comes from a signed public log. Each item shows its log index "
        "(#) with a link to its Merkle inclusion proof. Get the verifier key from a source you "
        "trust, then run:",
    ),
    "vkey": ("Khoá kiểm chứng của nhật ký", "The log's verifier key"),
    "name": ("Họ tên", "Name"),
    "erased": ("(đã xoá dữ liệu cá nhân)", "(personal data erased)"),
    "title": ("Chức danh", "Title"),
    "unit": ("Đơn vị", "Unit"),
    "level": ("Cấp", "Level"),
    "parent": ("Trực thuộc", "Part of"),
    "since": ("Từ ngày", "Since"),
    "until": ("Đến ngày", "Until"),
    "post": ("Vị trí việc làm", "Post"),
    "posts_held": ("Vị trí đã và đang đảm nhiệm", "Posts held"),
    "decision": ("Quyết định", "Decision"),
    "kind": ("Loại", "Kind"),
    "status": ("Trạng thái", "Status"),
    "effective": ("Hiệu lực", "Effective"),
    "summary": ("Tóm tắt", "Summary"),
    "flags": ("Cảnh báo quy tắc", "Rule flags"),
    "log_index": ("Chỉ số nhật ký", "Log index"),
    "proof": ("chứng minh", "proof"),
    "probations": ("Tập sự", "Probation"),
    "deadline": ("Hạn", "Deadline"),
    "confirmed": ("Kết quả", "Result"),
    "rotations": ("Luân chuyển, điều động", "Rotations and transfers"),
    "evaluations": ("Đánh giá, xếp loại", "Evaluations"),
    "period": ("Kỳ", "Period"),
    "band": ("Xếp loại", "Band"),
    "training": ("Đào tạo, bồi dưỡng", "Training"),
    "course": ("Khoá học", "Course"),
    "commendations": ("Khen thưởng", "Commendations"),
    "discipline": ("Kỷ luật", "Discipline"),
    "penalty": ("Hình thức", "Penalty"),
    "none": ("Không có", "None"),
    "search": ("Tìm kiếm", "Search"),
    "search_text": ("Từ khoá", "Words"),
    "any": ("Tất cả", "Any"),
    "results": ("kết quả", "results"),
    "page": ("Trang", "Page"),
    "previous": ("Trang trước", "Previous page"),
    "next": ("Trang sau", "Next page"),
    "group": ("Nhóm chức danh", "Title group"),
    "version": ("Phiên bản", "Version"),
    "competencies": ("Năng lực yêu cầu", "Required competencies"),
    "parameters": ("Tham số quy tắc", "Rule parameters"),
    "approvals": ("Số phê duyệt", "Approvals"),
    "history": ("Lịch sử", "History"),
    "headcount": ("Biên chế", "Headcount"),
    "members": ("Số cán bộ", "Officials"),
    "decisions_by_kind": ("Quyết định theo loại", "Decisions by kind"),
    "officials_by_unit": ("Cán bộ theo đơn vị", "Officials by unit"),
    "flagged_by_unit": ("Tỷ lệ quyết định bị cảnh báo", "Share of decisions flagged"),
    "on_time_by_unit": ("Tỷ lệ quyết định ghi sổ đúng hạn", "Share of decisions recorded on time"),
    "bands_by_unit": ("Xếp loại đánh giá theo đơn vị", "Evaluation bands by unit"),
    "proof_title": ("Chứng minh thuộc nhật ký", "Inclusion proof"),
    "leaf_hash": ("Hash của lá", "Leaf hash"),
    "proof_hashes": ("Các hash chứng minh", "Proof hashes"),
    "tree_size": ("Kích thước cây", "Tree size"),
    "entry": ("Bản ghi (base64)", "Entry (base64)"),
    "proof_how": (
        "Tính lại gốc cây từ hash của lá và các hash chứng minh (RFC 9162) rồi so với "
        "checkpoint có chữ ký; hoặc dùng canbo verify.",
        "Recompute the root from the leaf hash and the proof hashes (RFC 9162) and compare it "
        "with the signed checkpoint; or use canbo verify.",
    ),
    "province": ("Tỉnh", "Province"),
    "commune": ("Xã", "Commune"),
    "ward": ("Phường", "Ward"),
    "held_note": (
        "Tạm giữ để thanh tra xem xét độc lập",
        "Held for independent review by inspection",
    ),
    "javascript_search": (
        "Tìm kiếm trên bản tĩnh cần JavaScript; không có JavaScript, hãy duyệt theo trang.",
        "Searching the static copy needs JavaScript; without it, browse page by page.",
    ),
}

# Values shown in tables: decision kinds, statuses, bands, levels.
VALUES: dict[str, tuple[str, str]] = {
    "recruitment": ("Tuyển dụng", "Recruitment"),
    "appointment": ("Bổ nhiệm", "Appointment"),
    "reappointment": ("Bổ nhiệm lại", "Reappointment"),
    "probation_start": ("Bắt đầu tập sự", "Probation start"),
    "probation_confirmation": ("Hết tập sự, đạt", "Probation confirmed"),
    "probation_failure": ("Hết tập sự, không đạt", "Probation failed"),
    "rotation": ("Luân chuyển", "Rotation"),
    "transfer": ("Điều động", "Transfer"),
    "secondment": ("Biệt phái", "Secondment"),
    "evaluation": ("Đánh giá", "Evaluation"),
    "commendation": ("Khen thưởng", "Commendation"),
    "discipline": ("Kỷ luật", "Discipline"),
    "resignation": ("Thôi việc", "Resignation"),
    "dismissal": ("Buộc thôi việc", "Dismissal"),
    "proposed": ("Đã đề xuất", "Proposed"),
    "held": ("Tạm giữ", "Held"),
    "approved": ("Đã phê duyệt", "Approved"),
    "withdrawn": ("Đã rút", "Withdrawn"),
    "annulled": ("Đã huỷ", "Annulled"),
    "published": ("Đã công bố", "Published"),
    "excellent": ("Hoàn thành xuất sắc", "Excellent"),
    "good": ("Hoàn thành tốt", "Good"),
    "completed": ("Hoàn thành", "Completed"),
    "not_completed": ("Không hoàn thành", "Not completed"),
    "province": ("Tỉnh", "Province"),
    "commune": ("Xã", "Commune"),
    "ward": ("Phường", "Ward"),
    "leadership": ("Lãnh đạo, quản lý", "Leadership"),
    "professional": ("Chuyên môn", "Professional"),
    "support": ("Hỗ trợ, phục vụ", "Support"),
    "reprimand": ("Khiển trách", "Reprimand"),
    "warning": ("Cảnh cáo", "Warning"),
    "removal": ("Cách chức", "Removal"),
    "by_title": ("Theo chức danh", "By title"),
    "by_problem": ("Theo vấn đề", "By problem"),
    "situational": ("Tình huống", "Situational"),
    "horizontal": ("Ngang", "Horizontal"),
    "targeted": ("Có mục tiêu", "Targeted"),
}


def text(key: str, lang: str) -> str:
    """A phrase of the site in the language."""
    vi, en = TEXT[key]
    return en if lang == "en" else vi


def value(raw: object, lang: str) -> str:
    """A coded value (kind, status, band...) in words; unknown codes as they are."""
    if raw is None:
        return ""
    pair = VALUES.get(str(raw))
    if pair is None:
        return str(raw)
    return pair[1] if lang == "en" else pair[0]
