from newswatch.transforms.language.clean import clean_text, is_furniture_line, is_section_start
from newswatch.transforms.sources.files import bundled_seeds, parse_txt


def _seed(prefix):
    path = next(bundled_seeds().glob(f"{prefix}_*.txt"))
    return parse_txt(path.read_text(encoding="utf-8"), path.name)


def test_related_posts_list_is_dropped():
    text = clean_text(_seed("002").text)
    assert "Related posts" not in text
    assert "gray zone tactics" not in text
    assert "has signed similar agreements with the United Kingdom" in text


def test_reader_comments_are_dropped():
    text = clean_text(_seed("003").text)
    assert "All comments" not in text
    assert "9/10/14" not in text
    assert "Japan is seeking to promote direct arms exports" not in text
    assert "6th ASEAN-Japan Deputy Ministers" in text


def test_most_viewed_box_and_credit_lines_are_dropped():
    text = clean_text(_seed("004").text)
    assert "MOST VIEWED" not in text and "Koh Ker" not in text and "Capital Gains Tax" not in text
    assert "VIET NAM NEWS/ASIA NEWS NETWORK" not in text
    assert "Kishida is making an official visit to Hanoi" in text


def test_inline_photo_credit_is_removed_but_caption_kept():
    text = clean_text(_seed("001").text)
    assert "(source: PANO)" not in text
    assert "( VNF/PANO )" not in text
    assert "Overview of the meeting" in text


def test_marker_near_the_top_does_not_wipe_the_article():
    body = "Comments\n" + "\n".join(["Japan and Vietnam signed a defence deal on Monday."] * 10)
    assert clean_text(body).count("signed a defence deal") == 10


def test_line_classifiers():
    assert is_section_start("All comments [ 10 ]")
    assert is_section_start("Articles similaires / Related posts:")
    assert is_furniture_line("VIETNAM NEWS AGENCY")
    assert is_furniture_line("Photo: Reuters")
    assert not is_furniture_line("The two ministers met in Hanoi.")
