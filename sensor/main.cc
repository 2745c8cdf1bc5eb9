// Placeholder until the pipeline lands.
#include <cstdio>
int main() { std::puts("vigie " VIGIE_VERSION); return 0; }
