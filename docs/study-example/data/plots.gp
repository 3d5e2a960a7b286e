# written by scripts/study; run from the study's directory: gnuplot data/plots.gp
set datafile separator ','
set key top left box opaque
set grid
set style fill transparent solid 0.2 noborder
set terminal pngcairo size 960,440 font 'sans,10' noenhanced
set output 'plots/return-steps_CartPole-v1_ppo.png'
set multiplot layout 1,2 title "CartPole-v1, ppo: return (mean of the last 100 episodes), mean ± std over seeds"
set xlabel 'environment steps'
set ylabel 'return'
set key bottom right box opaque
set format x '%.0s%c'
set title 'np = 2 (1 learner + 1 actor)'
plot 'data/return-steps_CartPole-v1_ppo_sync_np2.csv' using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, 'data/return-steps_CartPole-v1_ppo_sync_np2.csv' using 1:2 with lines lw 2 lc rgb '#0072B2' title 'sync', 'data/return-steps_CartPole-v1_ppo_async_np2.csv' using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, 'data/return-steps_CartPole-v1_ppo_async_np2.csv' using 1:2 with lines lw 2 lc rgb '#D55E00' title 'async', 'data/return-steps_CartPole-v1_ppo_async-k1_np2.csv' using 1:3:4 with filledcurves lc rgb '#009E73' notitle, 'data/return-steps_CartPole-v1_ppo_async-k1_np2.csv' using 1:2 with lines lw 2 lc rgb '#009E73' title 'async, staleness <= 1', 475 with lines dt 2 lw 1 lc rgb 'gray40' title 'threshold 475'
set title 'np = 3 (1 learner + 2 actors)'
plot 'data/return-steps_CartPole-v1_ppo_sync_np3.csv' using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, 'data/return-steps_CartPole-v1_ppo_sync_np3.csv' using 1:2 with lines lw 2 lc rgb '#0072B2' title 'sync', 'data/return-steps_CartPole-v1_ppo_async_np3.csv' using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, 'data/return-steps_CartPole-v1_ppo_async_np3.csv' using 1:2 with lines lw 2 lc rgb '#D55E00' title 'async', 'data/return-steps_CartPole-v1_ppo_async-k1_np3.csv' using 1:3:4 with filledcurves lc rgb '#009E73' notitle, 'data/return-steps_CartPole-v1_ppo_async-k1_np3.csv' using 1:2 with lines lw 2 lc rgb '#009E73' title 'async, staleness <= 1', 475 with lines dt 2 lw 1 lc rgb 'gray40' title 'threshold 475'
unset multiplot
unset title; set format x '% g'; set key top left box opaque
set terminal pngcairo size 960,440 font 'sans,10' noenhanced
set output 'plots/return-wall_CartPole-v1_ppo.png'
set multiplot layout 1,2 title "CartPole-v1, ppo: return (mean of the last 100 episodes), mean ± std over seeds"
set xlabel 'learner wall-clock time (s)'
set ylabel 'return'
set key bottom right box opaque
set format x '% g'
set title 'np = 2 (1 learner + 1 actor)'
plot 'data/return-wall_CartPole-v1_ppo_sync_np2.csv' using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, 'data/return-wall_CartPole-v1_ppo_sync_np2.csv' using 1:2 with lines lw 2 lc rgb '#0072B2' title 'sync', 'data/return-wall_CartPole-v1_ppo_async_np2.csv' using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, 'data/return-wall_CartPole-v1_ppo_async_np2.csv' using 1:2 with lines lw 2 lc rgb '#D55E00' title 'async', 'data/return-wall_CartPole-v1_ppo_async-k1_np2.csv' using 1:3:4 with filledcurves lc rgb '#009E73' notitle, 'data/return-wall_CartPole-v1_ppo_async-k1_np2.csv' using 1:2 with lines lw 2 lc rgb '#009E73' title 'async, staleness <= 1', 475 with lines dt 2 lw 1 lc rgb 'gray40' title 'threshold 475'
set title 'np = 3 (1 learner + 2 actors)'
plot 'data/return-wall_CartPole-v1_ppo_sync_np3.csv' using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, 'data/return-wall_CartPole-v1_ppo_sync_np3.csv' using 1:2 with lines lw 2 lc rgb '#0072B2' title 'sync', 'data/return-wall_CartPole-v1_ppo_async_np3.csv' using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, 'data/return-wall_CartPole-v1_ppo_async_np3.csv' using 1:2 with lines lw 2 lc rgb '#D55E00' title 'async', 'data/return-wall_CartPole-v1_ppo_async-k1_np3.csv' using 1:3:4 with filledcurves lc rgb '#009E73' notitle, 'data/return-wall_CartPole-v1_ppo_async-k1_np3.csv' using 1:2 with lines lw 2 lc rgb '#009E73' title 'async, staleness <= 1', 475 with lines dt 2 lw 1 lc rgb 'gray40' title 'threshold 475'
unset multiplot
unset title; set format x '% g'; set key top left box opaque
set terminal pngcairo size 960,440 font 'sans,10' noenhanced
set output 'plots/return-steps_CartPole-v1_a2c-a3c.png'
set multiplot layout 1,2 title "CartPole-v1, a2c (sync) / a3c (async): return (mean of the last 100 episodes), mean ± std over seeds"
set xlabel 'environment steps'
set ylabel 'return'
set key bottom right box opaque
set format x '%.0s%c'
set title 'np = 2 (1 learner + 1 actor)'
plot 'data/return-steps_CartPole-v1_a2c_sync_np2.csv' using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, 'data/return-steps_CartPole-v1_a2c_sync_np2.csv' using 1:2 with lines lw 2 lc rgb '#0072B2' title 'sync', 'data/return-steps_CartPole-v1_a3c_async_np2.csv' using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, 'data/return-steps_CartPole-v1_a3c_async_np2.csv' using 1:2 with lines lw 2 lc rgb '#D55E00' title 'async', 'data/return-steps_CartPole-v1_a3c_async-k1_np2.csv' using 1:3:4 with filledcurves lc rgb '#009E73' notitle, 'data/return-steps_CartPole-v1_a3c_async-k1_np2.csv' using 1:2 with lines lw 2 lc rgb '#009E73' title 'async, staleness <= 1', 475 with lines dt 2 lw 1 lc rgb 'gray40' title 'threshold 475'
set title 'np = 3 (1 learner + 2 actors)'
plot 'data/return-steps_CartPole-v1_a2c_sync_np3.csv' using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, 'data/return-steps_CartPole-v1_a2c_sync_np3.csv' using 1:2 with lines lw 2 lc rgb '#0072B2' title 'sync', 'data/return-steps_CartPole-v1_a3c_async_np3.csv' using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, 'data/return-steps_CartPole-v1_a3c_async_np3.csv' using 1:2 with lines lw 2 lc rgb '#D55E00' title 'async', 'data/return-steps_CartPole-v1_a3c_async-k1_np3.csv' using 1:3:4 with filledcurves lc rgb '#009E73' notitle, 'data/return-steps_CartPole-v1_a3c_async-k1_np3.csv' using 1:2 with lines lw 2 lc rgb '#009E73' title 'async, staleness <= 1', 475 with lines dt 2 lw 1 lc rgb 'gray40' title 'threshold 475'
unset multiplot
unset title; set format x '% g'; set key top left box opaque
set terminal pngcairo size 960,440 font 'sans,10' noenhanced
set output 'plots/return-wall_CartPole-v1_a2c-a3c.png'
set multiplot layout 1,2 title "CartPole-v1, a2c (sync) / a3c (async): return (mean of the last 100 episodes), mean ± std over seeds"
set xlabel 'learner wall-clock time (s)'
set ylabel 'return'
set key bottom right box opaque
set format x '% g'
set title 'np = 2 (1 learner + 1 actor)'
plot 'data/return-wall_CartPole-v1_a2c_sync_np2.csv' using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, 'data/return-wall_CartPole-v1_a2c_sync_np2.csv' using 1:2 with lines lw 2 lc rgb '#0072B2' title 'sync', 'data/return-wall_CartPole-v1_a3c_async_np2.csv' using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, 'data/return-wall_CartPole-v1_a3c_async_np2.csv' using 1:2 with lines lw 2 lc rgb '#D55E00' title 'async', 'data/return-wall_CartPole-v1_a3c_async-k1_np2.csv' using 1:3:4 with filledcurves lc rgb '#009E73' notitle, 'data/return-wall_CartPole-v1_a3c_async-k1_np2.csv' using 1:2 with lines lw 2 lc rgb '#009E73' title 'async, staleness <= 1', 475 with lines dt 2 lw 1 lc rgb 'gray40' title 'threshold 475'
set title 'np = 3 (1 learner + 2 actors)'
plot 'data/return-wall_CartPole-v1_a2c_sync_np3.csv' using 1:3:4 with filledcurves lc rgb '#0072B2' notitle, 'data/return-wall_CartPole-v1_a2c_sync_np3.csv' using 1:2 with lines lw 2 lc rgb '#0072B2' title 'sync', 'data/return-wall_CartPole-v1_a3c_async_np3.csv' using 1:3:4 with filledcurves lc rgb '#D55E00' notitle, 'data/return-wall_CartPole-v1_a3c_async_np3.csv' using 1:2 with lines lw 2 lc rgb '#D55E00' title 'async', 'data/return-wall_CartPole-v1_a3c_async-k1_np3.csv' using 1:3:4 with filledcurves lc rgb '#009E73' notitle, 'data/return-wall_CartPole-v1_a3c_async-k1_np3.csv' using 1:2 with lines lw 2 lc rgb '#009E73' title 'async, staleness <= 1', 475 with lines dt 2 lw 1 lc rgb 'gray40' title 'threshold 475'
unset multiplot
unset title; set format x '% g'; set key top left box opaque
set terminal pngcairo size 720,480 font 'sans,10' noenhanced
set output 'plots/sps_CartPole-v1.png'
set title 'CartPole-v1: environment steps per second (mean ± std over seeds)'
set xlabel 'ranks (mpirun -np)'
set ylabel 'env steps / s'
set xtics 1
set yrange [0:*]
set xrange [2-0.5:3+0.5]
plot 'data/sps_CartPole-v1_ppo_sync.csv' using 1:2:3 with yerrorlines lw 2 pt 7 dt 1 lc rgb '#0072B2' title 'ppo sync', 'data/sps_CartPole-v1_ppo_async.csv' using 1:2:3 with yerrorlines lw 2 pt 7 dt 2 lc rgb '#D55E00' title 'ppo async', 'data/sps_CartPole-v1_ppo_async-k1.csv' using 1:2:3 with yerrorlines lw 2 pt 7 dt 2 lc rgb '#009E73' title 'ppo async:1', 'data/sps_CartPole-v1_a2c_sync.csv' using 1:2:3 with yerrorlines lw 2 pt 7 dt 1 lc rgb '#CC79A7' title 'a2c sync', 'data/sps_CartPole-v1_a3c_async.csv' using 1:2:3 with yerrorlines lw 2 pt 7 dt 2 lc rgb '#E69F00' title 'a3c async', 'data/sps_CartPole-v1_a3c_async-k1.csv' using 1:2:3 with yerrorlines lw 2 pt 7 dt 2 lc rgb '#56B4E9' title 'a3c async:1'
unset xrange; unset yrange; set autoscale; set xtics autofreq
set terminal pngcairo size 720,480 font 'sans,10' noenhanced
set output 'plots/staleness_CartPole-v1.png'
set title 'CartPole-v1: staleness of the gradients received (async, dropped ones included; all seeds)'
set xlabel 'staleness (parameter versions behind)'
set ylabel 'share of gradients (%, log scale)'
set key top right
set logscale y
set yrange [*:250]
set xrange [-0.5:5 + 0.5]
set xtics 1
set label 2 'not shown: under 0.1% of any series, at staleness 6 to 24' at graph 0.98, 0.5 right
plot 'data/staleness_CartPole-v1_ppo_async_np2.csv' using ($1+-0.25):2 with points pt 5 ps 1.5 lw 2 lc rgb '#0072B2' title 'ppo async np2', 'data/staleness_CartPole-v1_ppo_async_np3.csv' using ($1+-0.17):2 with points pt 7 ps 1.5 lw 2 lc rgb '#D55E00' title 'ppo async np3', 'data/staleness_CartPole-v1_ppo_async-k1_np2.csv' using ($1+-0.09):2 with points pt 9 ps 1.5 lw 2 lc rgb '#009E73' title 'ppo async:1 np2', 'data/staleness_CartPole-v1_ppo_async-k1_np3.csv' using ($1+-0.01):2 with points pt 11 ps 1.5 lw 2 lc rgb '#CC79A7' title 'ppo async:1 np3', 'data/staleness_CartPole-v1_a3c_async_np2.csv' using ($1+0.07):2 with points pt 13 ps 1.5 lw 2 lc rgb '#E69F00' title 'a3c async np2', 'data/staleness_CartPole-v1_a3c_async_np3.csv' using ($1+0.15):2 with points pt 15 ps 1.5 lw 2 lc rgb '#56B4E9' title 'a3c async np3', 'data/staleness_CartPole-v1_a3c_async-k1_np2.csv' using ($1+0.23):2 with points pt 5 ps 1.5 lw 2 lc rgb '#000000' title 'a3c async:1 np2', 'data/staleness_CartPole-v1_a3c_async-k1_np3.csv' using ($1+0.31):2 with points pt 7 ps 1.5 lw 2 lc rgb '#F0E442' title 'a3c async:1 np3'
unset label 2; unset logscale y; unset yrange; unset xrange; set autoscale; set xtics autofreq; set key top left box opaque
set terminal pngcairo size 900,520 font 'sans,10' noenhanced
set output 'plots/comm_CartPole-v1.png'
set title "CartPole-v1: the learner's wall time in communication (mean over seeds)"
set ylabel '% of wall time'
set yrange [0:119]
set ytics 0, 20, 100
set key top left horizontal
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -35 left nomirror
unset xlabel
set bmargin 7
plot 'data/comm_CartPole-v1.csv' using 2:xtic(1) title columnheader(2) lc rgb '#0072B2', '' using 3 title columnheader(3) lc rgb '#D55E00'
unset style data; set style fill transparent solid 0.2 noborder; set xtics norotate; set bmargin; unset yrange; set autoscale; set ytics autofreq; set key top left vertical box opaque
