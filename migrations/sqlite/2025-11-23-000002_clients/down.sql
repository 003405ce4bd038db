DROP TABLE slug_counters;
DROP TABLE clients;
