"""Baseline: TF-IDF word and bigram features, logistic regression."""

import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

train = pd.read_csv("input/train.csv")
test = pd.read_csv("input/test.csv")
vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, token_pattern=r"[^\s]+")
x_train = vectorizer.fit_transform(train["text"])
model = LogisticRegression(C=3.0, max_iter=1000).fit(x_train, train["author"])
proba = model.predict_proba(vectorizer.transform(test["text"]))
submission = pd.DataFrame(proba, columns=model.classes_)
submission.insert(0, "id", test["id"])
submission[["id", "ALC", "BRN", "CRW"]].to_csv("submission.csv", index=False)
print("classes:", list(model.classes_))
