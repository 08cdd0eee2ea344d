"""Running Bordermark's batch jobs past one process: Apache Spark for detection and listing screening."""
