"""The training loop and the translation loss, on a tiny reversal task."""

from types import SimpleNamespace

import pytest
import torch

from transformer_course.decoding import exact_match, greedy_decode
from transformer_course.models.seq2seq import RNNEncoderDecoder
from transformer_course.training import (
    History,
    TrainConfig,
    make_scheduler,
    sequence_loss,
    train,
    translation_loss,
)

PAD, START, END, VOCAB = 0, 1, 2, 10


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models gain nothing from a second thread, and on a busy machine two
    threads that wait for each other can make a step fifty times slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def reversal_batch(generator, batch_size=32, max_len=5):
    """Random sentences of tokens 4..9, right-padded; the target is reversed."""
    lengths = torch.randint(2, max_len + 1, (batch_size,), generator=generator)
    src = torch.full((batch_size, max_len), PAD)
    tgt = torch.full((batch_size, max_len + 2), PAD)
    for b, n in enumerate(lengths.tolist()):
        words = torch.randint(4, VOCAB, (n,), generator=generator)
        src[b, :n] = words
        tgt[b, : n + 2] = torch.cat(
            [torch.tensor([START]), words.flip(0), torch.tensor([END])]
        )
    return SimpleNamespace(
        src=src, src_mask=src != PAD, tgt_in=tgt[:, :-1], tgt_out=tgt[:, 1:]
    )


def reversal_batches(epoch, n=20):
    generator = torch.Generator().manual_seed(epoch)
    return [reversal_batch(generator) for _ in range(n)]


def run(seed=0, steps=90):
    torch.manual_seed(seed)
    model = RNNEncoderDecoder(VOCAB, VOCAB, 16, 48, "gru", attention=True)
    history = train(
        model,
        reversal_batches,
        translation_loss,
        steps=steps,
        lr=1e-2,
        seed=seed,
        log_every=30,
        label="reverse",
    )
    return model, history


def test_training_learns_to_reverse_and_reports(capsys):
    model, history = run()
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("reverse | step    30 | loss ")
    assert lines[0].endswith(" tok/s")
    assert history.steps == list(range(1, 91))
    assert history.final_loss(10) < 0.3 * history.losses[0]
    assert history.tokens > 0 and history.seconds > 0
    assert history.tokens_per_second > 0
    assert not model.training  # left ready for evaluation
    batch = reversal_batch(torch.Generator().manual_seed(99), batch_size=64)
    predicted = greedy_decode(model, batch.src, batch.src_mask, START, END, 8)
    reference = [[t for t in row if t > END] for row in batch.tgt_out.tolist()]
    assert exact_match(predicted, reference) > 0.5


def test_training_is_reproducible():
    _, first = run(seed=1, steps=15)
    _, second = run(seed=1, steps=15)
    _, other = run(seed=2, steps=15)
    assert first.losses == second.losses
    assert first.losses != other.losses


def test_epochs_over_a_list_and_evaluation(capsys):
    torch.manual_seed(0)
    model = RNNEncoderDecoder(VOCAB, VOCAB, 8, 16)
    batches = reversal_batches(0, n=3)
    calls = []

    def evaluate(m):
        calls.append(m.training)
        return {"val_loss": 1.5}

    history = train(
        model,
        batches,
        translation_loss,
        epochs=2,
        evaluate=evaluate,
        eval_every=4,
        log_every=100,
    )
    assert history.steps == [1, 2, 3, 4, 5, 6]
    assert [e["step"] for e in history.evaluations] == [4, 6]
    assert calls == [False, False]  # evaluated in eval mode
    assert "step     4 | val_loss 1.500" in capsys.readouterr().out
    # An iterator is read only once, even when more epochs are asked for.
    history = train(model, iter(batches), translation_loss, epochs=3, log_every=100)
    assert len(history.steps) == 3


def test_sequence_loss_ignores_padding():
    torch.manual_seed(0)
    logits = torch.randn(2, 3, 5)
    tgt_out = torch.tensor([[3, 4, PAD], [2, PAD, PAD]])
    loss = sequence_loss(logits, tgt_out, PAD)
    by_hand = -torch.stack(
        [
            logits[0, 0].log_softmax(-1)[3],
            logits[0, 1].log_softmax(-1)[4],
            logits[1, 0].log_softmax(-1)[2],
        ]
    ).mean()
    torch.testing.assert_close(loss, by_hand)
    changed = logits.clone()
    changed[0, 2] = 100.0  # scores at a padded position do not count
    torch.testing.assert_close(sequence_loss(changed, tgt_out, PAD), loss)
    with pytest.raises(ValueError, match="tgt_out should have shape"):
        sequence_loss(logits, tgt_out[:, :2])


def test_training_explains_bad_settings():
    with pytest.raises(ValueError, match="exactly one of steps or epochs"):
        TrainConfig()
    with pytest.raises(ValueError, match="exactly one of steps or epochs"):
        TrainConfig(steps=10, epochs=2)
    with pytest.raises(ValueError, match="optimizer should be one of"):
        TrainConfig(steps=10, optimizer="lion")
    with pytest.raises(ValueError, match="steps should be at least 1"):
        TrainConfig(steps=0)
    with pytest.raises(ValueError, match="no steps"):
        History().final_loss()
    model = RNNEncoderDecoder(VOCAB, VOCAB, 8, 16)
    with pytest.raises(ValueError, match="empty"):
        train(model, lambda epoch: [], translation_loss, steps=5)

    def exploding(model, batch):
        return translation_loss(model, batch)[0] * float("nan")

    with pytest.raises(FloatingPointError, match="step 1"):
        train(model, reversal_batches, exploding, steps=5)


def test_minibatches_and_classification_on_the_delayed_copy_probe():
    from transformer_course.data import delayed_copy
    from transformer_course.models.rnn import RecurrentClassifier
    from transformer_course.training import accuracy, classification_loss, minibatches

    inputs, targets = delayed_copy(512, delay=2, n_symbols=4, seed=0)
    batches = minibatches(inputs, targets, batch_size=64, seed=0)
    first = batches(0)
    assert len(first) == 8 and first[0][0].shape == (64, 3)
    assert torch.equal(batches(0)[3][0], first[3][0])  # the same order for a seed
    assert not torch.equal(batches(1)[0][0], first[0][0])  # a new one each epoch
    torch.manual_seed(0)
    model = RecurrentClassifier(4, 8, 32, "gru")
    history = train(model, batches, classification_loss, steps=100, lr=1e-2)
    assert history.tokens == 100 * 64
    assert accuracy(model, inputs, targets) > 0.9  # chance is 0.25
    with pytest.raises(ValueError, match="same first size"):
        minibatches(inputs, targets[:3], batch_size=4)


def test_translate_and_train_translation_on_the_grammar():
    from transformer_course.data import TranslationData
    from transformer_course.decoding import evaluate_translation, translate
    from transformer_course.training import train_translation

    data = TranslationData.from_grammar(64, 0, 8, seed=0, n_clauses=1)
    torch.manual_seed(0)
    model = RNNEncoderDecoder(len(data.src_tokenizer), len(data.tgt_tokenizer), 8, 16)
    history = train_translation(model, data, steps=3, batch_size=32, log_every=10)
    assert len(history.losses) == 3
    english = [p.english for p in data.splits.test]
    french = translate(model, data, english, max_len=4)
    assert len(french) == 8 and all(isinstance(f, str) for f in french)
    assert all(len(f.split()) <= 4 for f in french)
    scores = evaluate_translation(model, data, data.splits.test, max_len=4)
    assert set(scores) == {"exact_match", "token_accuracy"}
    assert 0 <= scores["token_accuracy"] <= 1
    with pytest.raises(TypeError, match="list of strings"):
        translate(model, data, "the cat sleeps .")


def test_learning_rate_warms_up_and_falls_to_zero():
    layer = torch.nn.Linear(2, 2)
    optimizer = torch.optim.SGD(layer.parameters(), lr=1.0)
    config = TrainConfig(steps=10, schedule="linear", warmup=4)
    scheduler = make_scheduler(optimizer, config, total=10)
    rates = []
    for _ in range(10):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert rates[0] == pytest.approx(0.25)  # first of four warm-up steps
    assert rates[3] == pytest.approx(0.7)  # warmed up, 3 of 10 steps decayed
    assert all(a > b for a, b in zip(rates[3:], rates[4:], strict=False))
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.0)


def test_constant_schedule_leaves_the_learning_rate_alone():
    layer = torch.nn.Linear(2, 2)
    optimizer = torch.optim.SGD(layer.parameters(), lr=1.0)
    assert make_scheduler(optimizer, TrainConfig(steps=5), total=5) is None


def test_schedule_settings_are_explained():
    with pytest.raises(ValueError, match="schedule should be one of"):
        TrainConfig(steps=5, schedule="cosine")
    with pytest.raises(ValueError, match="warmup should be >= 0"):
        TrainConfig(steps=5, warmup=-1)
    optimizer = torch.optim.SGD(torch.nn.Linear(2, 2).parameters(), lr=1.0)
    with pytest.raises(ValueError, match="needs the number of steps"):
        make_scheduler(optimizer, TrainConfig(epochs=2, schedule="linear"), None)
