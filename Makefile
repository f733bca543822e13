# Shortcuts for those who have make; ./dev needs nothing but bash.
.PHONY: run test bench setup
run:
	./dev run
test:
	./dev test
bench:
	./dev bench
setup:
	./dev setup
