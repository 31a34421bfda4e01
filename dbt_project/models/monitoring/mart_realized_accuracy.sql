-- Realized accuracy per week of scoring and model version: the resolved predictions of
-- fct_score_outcomes (macros/realized_accuracy.sql says how each figure is computed)
-- beside the test AUC the model promised at training.
{{ realized_accuracy('(select * from ' ~ ref('fct_score_outcomes') ~ ' where resolved)',
                     ['scored_week', 'model_version']) }}
