"""The recurrent estimators: the shared base, regressor, classifier, autoencoder and
tagger.
"""
