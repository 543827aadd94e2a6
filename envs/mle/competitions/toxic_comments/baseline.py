"""Baseline: word counts (single words) and one multinomial naive Bayes per label."""

import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.naive_bayes import MultinomialNB

LABELS = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]

train = pd.read_csv("input/train.csv")
test = pd.read_csv("input/test.csv")
vectorizer = CountVectorizer(lowercase=True)
x_train = vectorizer.fit_transform(train["comment_text"])
x_test = vectorizer.transform(test["comment_text"])
submission = pd.DataFrame({"id": test["id"]})
for label in LABELS:
    submission[label] = MultinomialNB().fit(x_train, train[label]).predict_proba(x_test)[:, 1]
submission.to_csv("submission.csv", index=False)
print(submission[LABELS].mean())
