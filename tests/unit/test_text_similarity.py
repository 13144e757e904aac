"""The text_similarity metrics against reference values worked out by hand (the n-gram counts are written out
in each test), never against the mock's own output; and the multi grader's formula evaluator."""

from __future__ import annotations

import math

import numpy as np
import pytest

from openai_mock.generation import graders
from openai_mock.generation.embeddings import embed_array
from openai_mock.generation.text_similarity import similarity

# The textbook pair: one word differs (jumps / jumped), same length (no brevity penalty).
FOX_REF = "the quick brown fox jumps over the lazy dog"
FOX_HYP = "the quick brown fox jumped over the lazy dog"
# A pair with different lengths: reference 6 tokens, hypothesis 7.
CAT_REF = "the cat sat on the mat"
CAT_HYP = "the cat lay on the red mat"


def test_bleu_of_the_textbook_pair() -> None:
    # Clipped n-gram precisions: 1-grams 8/9, 2-grams 6/8 (the quick, quick brown, brown fox, over the, the lazy,
    # lazy dog), 3-grams 4/7, 4-grams 2/6 (the quick brown fox, over the lazy dog); c = r = 9 so BP = 1.
    expected = (8 / 9 * 6 / 8 * 4 / 7 * 2 / 6) ** 0.25
    assert similarity("bleu", FOX_HYP, FOX_REF) == pytest.approx(expected, abs=1e-9)
    assert expected == pytest.approx(0.596949, abs=1e-6)  # sacreBLEU's sentence BLEU of this pair: 59.69


def test_bleu_brevity_penalty_and_identity() -> None:
    assert similarity("bleu", FOX_REF, FOX_REF) == pytest.approx(1.0)
    # "the quick brown fox" against the 9-word reference: every n-gram matches, BP = exp(1 - 9/4).
    assert similarity("bleu", "the quick brown fox", FOX_REF) == pytest.approx(math.exp(1 - 9 / 4), abs=1e-9)


def test_bleu_smooths_orders_without_matches() -> None:
    # 1-grams: the, cat, on, the, mat = 5/7; 2-grams: the cat, on the = 2/6; 3-grams: none of 5 → 1/(2·5);
    # 4-grams: none of 4 → 1/(4·4); c = 7 > r = 6: BP = 1.
    expected = (5 / 7 * 2 / 6 * (1 / 10) * (1 / 16)) ** 0.25
    assert similarity("bleu", CAT_HYP, CAT_REF) == pytest.approx(expected, abs=1e-9)


def test_bleu_without_a_common_word_is_zero() -> None:
    assert similarity("bleu", "Paris", "x") == 0.0


def test_gleu_is_the_smaller_of_n_gram_precision_and_recall() -> None:
    # Matches over orders 1–4: 8 + 6 + 4 + 2 = 20 of 9 + 8 + 7 + 6 = 30 n-grams on either side.
    assert similarity("gleu", FOX_HYP, FOX_REF) == pytest.approx(20 / 30)
    # Matches 5 + 2 + 0 + 0 = 7; hypothesis n-grams 7 + 6 + 5 + 4 = 22, reference 6 + 5 + 4 + 3 = 18.
    assert similarity("gleu", CAT_HYP, CAT_REF) == pytest.approx(min(7 / 22, 7 / 18))


def test_meteor_exact_matches_chunks_and_penalty() -> None:
    # 8 unigram matches, P = R = 8/9; two chunks (the quick brown fox | over the lazy dog):
    # Fmean = P·R/(0.9·P + 0.1·R) = 8/9; penalty = 0.5 · (2/8)^3.
    expected = (8 / 9) * (1 - 0.5 * (2 / 8) ** 3)
    assert similarity("meteor", FOX_HYP, FOX_REF) == pytest.approx(expected, abs=1e-9)
    # the cat | on the | mat: 5 matches in 3 chunks; P = 5/7, R = 5/6.
    p, r = 5 / 7, 5 / 6
    expected = p * r / (0.9 * p + 0.1 * r) * (1 - 0.5 * (3 / 5) ** 3)
    assert similarity("meteor", CAT_HYP, CAT_REF) == pytest.approx(expected, abs=1e-9)


def test_rouge_n_and_rouge_l_f_measures() -> None:
    def f1(p: float, r: float) -> float:
        return 2 * p * r / (p + r)

    # ROUGE-1: the×2, cat, on, mat = 5 overlapping unigrams; P = 5/7, R = 5/6 → 50/65.
    assert similarity("rouge_1", CAT_HYP, CAT_REF) == pytest.approx(f1(5 / 7, 5 / 6))
    assert similarity("rouge_1", CAT_HYP, CAT_REF) == pytest.approx(50 / 65)
    # ROUGE-2: the cat, on the; P = 2/6, R = 2/5 → 4/11.
    assert similarity("rouge_2", CAT_HYP, CAT_REF) == pytest.approx(4 / 11)
    assert similarity("rouge_3", CAT_HYP, CAT_REF) == 0.0
    # ROUGE-L: LCS "the cat on the mat" = 5.
    assert similarity("rouge_l", CAT_HYP, CAT_REF) == pytest.approx(f1(5 / 7, 5 / 6))
    # The fox pair: ROUGE-4 = 2/6 both ways; ROUGE-5: no common 5-gram.
    assert similarity("rouge_4", FOX_HYP, FOX_REF) == pytest.approx(2 / 6)
    assert similarity("rouge_5", FOX_HYP, FOX_REF) == 0.0
    # Tokens are lower-cased runs of letters and digits: punctuation and case do not matter.
    assert similarity("rouge_l", "The CAT, sat on the mat!", CAT_REF) == pytest.approx(1.0)


def test_fuzzy_match_is_the_normalised_indel_similarity_for_near_strings() -> None:
    # "hello world" vs "hello word": one deletion; Indel similarity 1 - 1/(11 + 10) = 20/21.
    assert similarity("fuzzy_match", "hello world", "hello word") == pytest.approx(20 / 21, abs=1e-9)
    assert similarity("fuzzy_match", "Paris!", "paris") == pytest.approx(1.0)  # case and punctuation ignored
    assert similarity("fuzzy_match", "abc", "xyz") == 0.0


def test_cosine_is_the_cosine_of_the_embeddings() -> None:
    vectors = embed_array([CAT_HYP, CAT_REF], "text-embedding-3-large").astype(np.float64)
    expected = float(vectors[0] @ vectors[1] / (np.linalg.norm(vectors[0]) * np.linalg.norm(vectors[1])))
    assert similarity("cosine", CAT_HYP, CAT_REF) == pytest.approx(expected, abs=1e-6)
    assert similarity("cosine", CAT_REF, CAT_REF) == 1.0
    assert 0 < expected < 1


def test_formula_arithmetic_and_functions() -> None:
    scores = {"a": 0.5, "b": 1.0}
    assert graders.evaluate_formula("0.25 * a + 0.75 * b", scores) == pytest.approx(0.875)
    assert graders.evaluate_formula("min(a, b) - -abs(-a)", scores) == pytest.approx(1.0)
    assert graders.evaluate_formula("sqrt(b) ** 2 / (1 + a)", scores) == pytest.approx(1 / 1.5)


@pytest.mark.parametrize(
    "formula",
    [
        "__import__('os').system('true')",
        "a.__class__",
        "open('x')",
        "[a, b]",
        "a if b else 0",
        "c + 1",
        "'text'",
        "lambda: 1",
        "",
    ],
)
def test_formula_refuses_anything_but_arithmetic(formula: str) -> None:
    with pytest.raises(graders.FormulaError):
        graders.evaluate_formula(formula, {"a": 0.5, "b": 1.0})


def test_formula_runtime_errors_are_formula_errors() -> None:
    with pytest.raises(graders.FormulaError):
        graders.evaluate_formula("a / (b - 1)", {"a": 0.5, "b": 1.0})
    with pytest.raises(graders.FormulaError):
        graders.evaluate_formula("a ** 1000", {"a": 2.0, "b": 1.0})


def test_templates_render_paths_and_json() -> None:
    namespace = {"item": {"q": "France", "tags": ["geo", "eu"], "meta": {"n": 2}}, "sample": {"output_text": "Paris"}}
    assert graders.render("{{item.q}} → {{ sample.output_text }}", namespace) == "France → Paris"
    assert graders.render("{{item.tags[1]}} {{item.meta}}", namespace) == 'eu {"n": 2}'
    with pytest.raises(graders.TemplateError) as raised:
        graders.render("{{item.missing}}", namespace)
    assert raised.value.name == "item.missing"
