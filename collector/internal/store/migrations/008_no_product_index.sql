-- Every upload paid for this index, a tenth of the cost of storing a day;
-- its one reader, the collector-wide benchmarks of My Insights, finds a
-- product's days of the window through usage_days_window as well.
DROP INDEX usage_days_product;
